import type { Key } from 'ink';
import { validateTaskName } from '../engine/index.js';
import { defaultInjectForm, selectedWorker, type ConsoleStore, type InjectForm } from './store.js';
import type { WorkerRow } from './worker-rows.js';

/** A batch of tasks requested in the inject dialog. */
export interface InjectRequest {
  name: string;
  count: number;
  payload: unknown;
}

/** Side effects the keys trigger; the console wires them to the supervisor, Redis and the process. */
export interface ConsoleActions {
  spawnWorker(): void;
  killWorker(name: string): void;
  terminateWorker(name: string): void;
  toggleFreeze(name: string): void;
  injectTasks(request: InjectRequest): void;
  injectBurst(): void;
  toggleChaos(): void;
  togglePause(): void;
  requeueDead(): void;
  /** Stops children, the master and an embedded Redis, then exits. */
  quit(): void;
  /** SIGKILLs the children and exits at once. */
  forceQuit(): void;
}

/** The store and the actions a key handler works on. */
export interface KeyContext {
  store: ConsoleStore;
  actions: ConsoleActions;
}

/** Groups of the help overlay, in display order. */
export const keyGroups = ['Navigate', 'Workers', 'Tasks and queue', 'Console'] as const;

/** One key of the registry: the router, the footer hints and the help overlay all read it. */
export interface KeyBinding {
  command: string;
  /** Labels of the keys, as the footer and the help show them. */
  keys: readonly string[];
  group: (typeof keyGroups)[number];
  description: string;
  /** Short footer label; bindings without one show only in the help overlay. */
  hint?: string;
  matches(input: string, key: Key): boolean;
  run(context: KeyContext): void;
}

/** Smallest and largest chaos interval, and the step of `+` and `-`. */
export const chaosIntervalRangeMs = { min: 1000, max: 60_000, step: 1000 } as const;
/** Tasks and payload of the `b` burst. */
export const burstSize = 100;
/** Largest count the inject dialog accepts. */
export const maxInjectCount = 100_000;

const isChar = (char: string) => (input: string, key: Key) => input === char && !key.ctrl && !key.meta;

/**
 * The key registry. `k` moves up, as in vim and the tools that borrow its
 * keys, so a navigation habit never kills a process: SIGKILL is the capital `K`.
 */
export const keyBindings: readonly KeyBinding[] = [
  {
    command: 'selectUp',
    keys: ['↑', 'k'],
    group: 'Navigate',
    description: 'select the previous worker (or pending task)',
    matches: (input, key) => key.upArrow || isChar('k')(input, key),
    run: ({ store }) => store.getState().moveSelection(-1),
  },
  {
    command: 'selectDown',
    keys: ['↓', 'j'],
    group: 'Navigate',
    description: 'select the next worker (or pending task)',
    matches: (input, key) => key.downArrow || isChar('j')(input, key),
    run: ({ store }) => store.getState().moveSelection(1),
  },
  {
    command: 'switchPane',
    keys: ['Tab'],
    group: 'Navigate',
    description: 'move the selection between the workers and the head of pending',
    matches: (_input, key) => key.tab,
    run: ({ store }) => store.getState().toggleFocus(),
  },
  {
    command: 'detail',
    keys: ['Enter'],
    group: 'Navigate',
    description: 'details of the selected worker or pending task',
    hint: 'details',
    matches: (_input, key) => key.return,
    run: openDetail,
  },
  {
    command: 'spawn',
    keys: ['s'],
    group: 'Workers',
    description: 'spawn a worker process (logs in .dtq/logs/)',
    hint: 'spawn',
    matches: isChar('s'),
    run: ({ actions }) => actions.spawnWorker(),
  },
  {
    command: 'kill',
    keys: ['K'],
    group: 'Workers',
    description: 'SIGKILL the selected worker: its tasks come back after heartbeat TTL + sweep',
    hint: 'kill',
    matches: isChar('K'),
    run: (context) => withSpawnedWorker(context, 'SIGKILL', (row) => context.actions.killWorker(row.name)),
  },
  {
    command: 'terminate',
    keys: ['t'],
    group: 'Workers',
    description: 'SIGTERM the selected worker: it finishes its tasks and stops',
    hint: 'term',
    matches: isChar('t'),
    run: (context) => withSpawnedWorker(context, 'SIGTERM', (row) => context.actions.terminateWorker(row.name)),
  },
  {
    command: 'freeze',
    keys: ['z'],
    group: 'Workers',
    description: 'freeze the selected worker (SIGSTOP); again to resume it (SIGCONT)',
    hint: 'freeze',
    matches: isChar('z'),
    run: (context) => withSpawnedWorker(context, 'SIGSTOP', (row) => context.actions.toggleFreeze(row.name)),
  },
  {
    command: 'chaos',
    keys: ['c'],
    group: 'Workers',
    description: 'chaos monkey on/off: SIGKILL a random spawned worker each interval, spawn another',
    hint: 'chaos',
    matches: isChar('c'),
    run: ({ actions }) => actions.toggleChaos(),
  },
  {
    command: 'chaosSlower',
    keys: ['+'],
    group: 'Workers',
    description: 'chaos interval one second longer',
    matches: (input, key) => isChar('+')(input, key) || isChar('=')(input, key),
    run: ({ store }) => changeChaosInterval(store, chaosIntervalRangeMs.step),
  },
  {
    command: 'chaosFaster',
    keys: ['-'],
    group: 'Workers',
    description: 'chaos interval one second shorter',
    matches: isChar('-'),
    run: ({ store }) => changeChaosInterval(store, -chaosIntervalRangeMs.step),
  },
  {
    command: 'inject',
    keys: ['i'],
    group: 'Tasks and queue',
    description: 'inject tasks: name, count and payload',
    hint: 'inject',
    matches: isChar('i'),
    run: ({ store }) => store.getState().openOverlay({ kind: 'inject', form: { ...defaultInjectForm } }),
  },
  {
    command: 'burst',
    keys: ['b'],
    group: 'Tasks and queue',
    description: `inject a burst of ${burstSize} sleep tasks`,
    hint: 'burst',
    matches: isChar('b'),
    run: ({ actions }) => actions.injectBurst(),
  },
  {
    command: 'pause',
    keys: ['p'],
    group: 'Tasks and queue',
    description: 'pause claiming on the queue, or resume it',
    hint: 'pause',
    matches: isChar('p'),
    run: ({ actions }) => actions.togglePause(),
  },
  {
    command: 'requeueDead',
    keys: ['r'],
    group: 'Tasks and queue',
    description: 'requeue every dead-letter task to pending (asks first)',
    hint: 'requeue dead',
    matches: isChar('r'),
    run: askRequeueDead,
  },
  {
    command: 'help',
    keys: ['?'],
    group: 'Console',
    description: 'this help',
    hint: 'help',
    matches: isChar('?'),
    run: ({ store }) => store.getState().openOverlay({ kind: 'help' }),
  },
  {
    command: 'close',
    keys: ['Esc'],
    group: 'Console',
    description: 'close a dialog, the help or a detail view',
    matches: (_input, key) => key.escape,
    run: ({ store }) => store.getState().closeOverlay(),
  },
  {
    command: 'quit',
    keys: ['q'],
    group: 'Console',
    description: 'quit: stop spawned workers (asks first if any run), the master and an embedded Redis',
    hint: 'quit',
    matches: isChar('q'),
    run: askQuit,
  },
  {
    command: 'interrupt',
    keys: ['Ctrl+C'],
    group: 'Console',
    description: 'quit without asking; a second Ctrl+C stops the workers with SIGKILL and exits at once',
    // handleKey checks Ctrl+C before any overlay, so it works in every dialog; run() serves direct callers.
    matches: isInterrupt,
    run: ({ actions }) => actions.quit(),
  },
];

function isInterrupt(input: string, key: Key): boolean {
  return key.ctrl && input === 'c';
}

/**
 * Routes one key press: Ctrl+C first, then the open overlay, then the
 * registry. Nothing but Ctrl+C acts while the console is stopping.
 */
export function handleKey(input: string, key: Key, context: KeyContext): void {
  const state = context.store.getState();
  if (isInterrupt(input, key)) {
    if (state.stopping) context.actions.forceQuit();
    else context.actions.quit();
    return;
  }
  if (state.stopping) return;

  // Keys typed faster than Ink reads them arrive as one string (escape sequences always come alone), so each character counts.
  if (input.length > 1 && !key.ctrl && !key.meta) {
    for (const char of input) handleKey(...keyOfCharacter(char), context);
    return;
  }

  const overlay = state.overlay;
  if (overlay?.kind === 'inject') return handleInjectKey(input, key, context, overlay.form);
  if (overlay?.kind === 'confirm') return handleConfirmKey(input, key, context, overlay.action, overlay.choice);
  if (overlay) {
    if (key.escape || key.return || input === 'q' || input === '?') state.closeOverlay();
    return;
  }

  keyBindings.find((binding) => binding.matches(input, key))?.run(context);
}

const noKey: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false,
  meta: false, super: false, hyper: false, capsLock: false, numLock: false,
};

/** Returns the input and Key that Ink reports for one character typed alone. */
function keyOfCharacter(char: string): [string, Key] {
  if (char === '\r') return ['', { ...noKey, return: true }];
  if (char === '\t') return ['', { ...noKey, tab: true }];
  if (char === '\u007F' || char === '\b') return ['', { ...noKey, backspace: true }];
  const code = char.charCodeAt(0);
  // Ctrl+A to Ctrl+Z arrive as codes 1 to 26; Ink reports them as the letter with ctrl set.
  if (code >= 1 && code <= 26) return [String.fromCharCode(code + 96), { ...noKey, ctrl: true }];
  return [char, { ...noKey, shift: /[A-Z]/.test(char) }];
}

function openDetail({ store }: KeyContext): void {
  const state = store.getState();
  if (state.focus === 'pending') {
    const envelope = state.snapshot?.pendingHead[state.selectedPendingIndex];
    if (envelope === undefined) state.setNotice('pending is empty: no task to show');
    else state.openOverlay({ kind: 'taskDetail', envelope });
    return;
  }
  const row = selectedWorker(state);
  if (!row) state.setNotice('no worker to show: press s to spawn one');
  else state.openOverlay({ kind: 'workerDetail', workerKey: row.key });
}

/** Runs `act` on the selected worker when this console spawned it and it still runs; otherwise sets a notice with the reason. */
function withSpawnedWorker({ store }: KeyContext, signal: string, act: (row: WorkerRow) => void): void {
  const state = store.getState();
  if (state.focus === 'pending') {
    state.setNotice(`a pending task is selected: press Tab to select a worker before sending ${signal}`, 'warn');
    return;
  }
  const row = selectedWorker(state);
  if (!row) {
    state.setNotice('no worker selected: press s to spawn one', 'warn');
    return;
  }
  if (!row.spawned) {
    const where = `pid ${row.pid ?? '?'} on ${row.host ?? 'an unknown host'}`;
    state.setNotice(`${row.name} runs elsewhere (${where}): this console can only signal workers it spawned`, 'warn');
    return;
  }
  if (row.exit !== undefined) {
    state.setNotice(`${row.name} has already exited (${row.exit}): no process to send ${signal} to`, 'warn');
    return;
  }
  act(row);
}

function changeChaosInterval(store: ConsoleStore, deltaMs: number): void {
  const state = store.getState();
  const intervalMs = Math.min(chaosIntervalRangeMs.max, Math.max(chaosIntervalRangeMs.min, state.chaos.intervalMs + deltaMs));
  state.setChaos({ intervalMs });
  state.setNotice(`chaos monkey interval ${intervalMs / 1000} s`);
}

function askRequeueDead({ store }: KeyContext): void {
  const state = store.getState();
  const deadCount = state.snapshot?.deadCount ?? 0;
  if (deadCount === 0) {
    state.setNotice('the dead-letter list is empty: nothing to requeue');
    return;
  }
  state.openOverlay({
    kind: 'confirm',
    action: 'requeueDead',
    title: 'Requeue dead-letter tasks',
    message: `Move all ${deadCount} dead-letter task(s) back to pending, each with its attempts reset?`,
    choice: 'no',
  });
}

function askQuit({ store, actions }: KeyContext): void {
  const state = store.getState();
  const liveCount = state.children.filter((child) => child.state !== 'exited').length;
  if (liveCount === 0) {
    actions.quit();
    return;
  }
  state.openOverlay({
    kind: 'confirm',
    action: 'quit',
    title: 'Quit',
    message: `Stop ${liveCount} spawned worker(s) (SIGTERM, then SIGKILL after the shutdown timeout) and quit?`,
    choice: 'no',
  });
}

function handleConfirmKey(input: string, key: Key, { store, actions }: KeyContext, action: 'quit' | 'requeueDead', choice: 'yes' | 'no'): void {
  const state = store.getState();
  const answer = confirmAnswer(input, key, choice);
  if (answer === undefined) {
    if (key.leftArrow || key.rightArrow || key.tab || input === 'h' || input === 'l') state.setConfirmChoice(choice === 'yes' ? 'no' : 'yes');
    return;
  }

  state.closeOverlay();
  if (answer === 'no') return;
  if (action === 'quit') actions.quit();
  else actions.requeueDead();
}

/** Returns the choice a key selects: y or n directly, Enter the highlighted choice, other keys none. */
function confirmAnswer(input: string, key: Key, choice: 'yes' | 'no'): 'yes' | 'no' | undefined {
  if (input === 'y' || input === 'Y') return 'yes';
  if (input === 'n' || input === 'N' || key.escape) return 'no';
  if (key.return) return choice;
  return undefined;
}

const injectFields: ReadonlyArray<InjectForm['field']> = ['name', 'count', 'payload'];

function handleInjectKey(input: string, key: Key, { store, actions }: KeyContext, form: InjectForm): void {
  const state = store.getState();
  if (key.escape) return state.closeOverlay();
  if (key.return) {
    const parsed = parseInjectForm(form);
    if (typeof parsed === 'string') return state.updateInjectForm({ error: parsed });
    state.closeOverlay();
    actions.injectTasks(parsed);
    return;
  }

  const index = injectFields.indexOf(form.field);
  if (key.tab || key.downArrow || key.upArrow) {
    const step = (key.tab && key.shift) || key.upArrow ? -1 : 1;
    const field = injectFields[(index + step + injectFields.length) % injectFields.length] ?? 'name';
    return state.updateInjectForm({ field });
  }
  const value = form[form.field];
  if (key.backspace || key.delete) return state.updateInjectForm({ [form.field]: value.slice(0, -1), error: undefined });
  if (key.ctrl || key.meta || input === '') return;
  // Pasted text arrives as one input; control characters never belong in a field.
  const printable = input.replace(/[\u0000-\u001f\u007f]/g, '');
  if (printable) state.updateInjectForm({ [form.field]: value + printable, error: undefined });
}

/** Checks the dialog's fields; returns the request, or a message naming the invalid field. */
export function parseInjectForm(form: InjectForm): InjectRequest | string {
  const name = form.name.trim();
  try {
    validateTaskName(name);
  } catch (error) {
    return `task name: ${(error as Error).message}`;
  }
  const count = /^\d+$/.test(form.count.trim()) ? Number(form.count.trim()) : Number.NaN;
  if (!Number.isSafeInteger(count) || count < 1 || count > maxInjectCount) return `count: expected a whole number from 1 to ${maxInjectCount}, got ${JSON.stringify(form.count)}`;
  if (form.payload.trim() === '') return { name, count, payload: null };
  try {
    return { name, count, payload: JSON.parse(form.payload) as unknown };
  } catch (error) {
    return `payload: not valid JSON (${(error as Error).message}); leave it empty for null`;
  }
}
