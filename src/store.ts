import { createStore, type StoreApi } from 'zustand/vanilla';
import { lostCount, type QueueSnapshot } from '../engine/index.js';
import { compareStreamIds, describeStreamEvent, type ConsoleEvent, type EventLevel } from './console-events.js';
import type { SupervisedWorker } from './supervisor.js';
import { buildWorkerRows, type WorkerRow } from './worker-rows.js';

/** Fixed facts about this console, shown in the header. */
export interface ConsoleInfo {
  queue: string;
  /** Redis URL with the password hidden. */
  redisDisplay: string;
  /** True when this console started the Redis server it uses. */
  embedded: boolean;
  startedAtMs: number;
  /** Whether panes use colour; off with NO_COLOR or --no-color. */
  color: boolean;
  audit: boolean;
  localHost: string;
}

/** State of the monitor's Redis connection. */
export interface ConnectionState {
  status: 'connecting' | 'connected' | 'disconnected';
  /** Last error while disconnected. */
  error?: string;
  sinceMs: number;
}

/** The inject dialog's fields as typed, and which one has the cursor. */
export interface InjectForm {
  name: string;
  count: string;
  payload: string;
  field: 'name' | 'count' | 'payload';
  error?: string;
}

/** The action a confirmation runs on a yes. */
export type ConfirmAction = 'quit' | 'requeueDead';

/** The window drawn over the panes, if any. */
export type Overlay =
  | { kind: 'help' }
  | { kind: 'inject'; form: InjectForm }
  | { kind: 'confirm'; action: ConfirmAction; title: string; message: string; choice: 'yes' | 'no' }
  | { kind: 'workerDetail'; workerKey: string }
  | { kind: 'taskDetail'; envelope: string };

/** Chaos monkey settings. */
export interface ChaosState {
  enabled: boolean;
  intervalMs: number;
}

/** The most recent recovery the console timed from its own kill or freeze. */
export interface RecoveryTiming {
  workerKey: string;
  latencyMs: number;
  cause: 'killed' | 'frozen';
}

export interface ConsoleState {
  info: ConsoleInfo;
  connection: ConnectionState;
  role: 'leader' | 'standby' | undefined;
  snapshot: QueueSnapshot | undefined;
  /** Local time of the last tick; every age on screen is measured against it. */
  nowMs: number;
  children: SupervisedWorker[];
  /** Registry rows merged with spawned children; rebuilt on every snapshot and child change. */
  workerRows: WorkerRow[];
  /** Completed tasks per second, one sample per whole second, oldest first, at most 60. */
  throughput: number[];
  throughputMark: { atMs: number; completed: number } | undefined;
  lastRecovery: RecoveryTiming | undefined;
  /** Newest last, at most eventCapacity. */
  events: ConsoleEvent[];
  lastStreamId: string;
  focus: 'workers' | 'pending';
  selectedWorkerKey: string | undefined;
  selectedPendingIndex: number;
  overlay: Overlay | undefined;
  chaos: ChaosState;
  /** A short message about the last key's outcome, shown above the footer for a few seconds. */
  notice: { text: string; level: EventLevel; atMs: number } | undefined;
  /** Set while quitting: what the console waits for. */
  stopping: string | undefined;
}

export interface ConsoleStoreActions {
  applySnapshot(snapshot: QueueSnapshot, nowMs: number, role: 'leader' | 'standby' | undefined): void;
  markDisconnected(error: string, nowMs: number): void;
  markConnected(nowMs: number): void;
  setChildren(children: SupervisedWorker[]): void;
  recordRecovery(timing: RecoveryTiming): void;
  pushEvent(level: EventLevel, text: string, atMs?: number): void;
  setNotice(text: string, level?: EventLevel): void;
  moveSelection(delta: number): void;
  toggleFocus(): void;
  openOverlay(overlay: Overlay): void;
  closeOverlay(): void;
  updateInjectForm(change: Partial<InjectForm>): void;
  setConfirmChoice(choice: 'yes' | 'no'): void;
  setChaos(change: Partial<ChaosState>): void;
  setStopping(message: string): void;
}

export type ConsoleStore = StoreApi<ConsoleState & ConsoleStoreActions>;

/** Lines the events ring buffer keeps; the pane shows the newest that fit. */
export const eventCapacity = 200;
/** Samples of the throughput sparkline: one a second over the last minute. */
export const throughputCapacity = 60;
/** How long a notice stays above the footer. */
export const noticeLifetimeMs = 6000;

/** Defaults of the inject dialog. */
export const defaultInjectForm: InjectForm = { name: 'sleep', count: '20', payload: '{"ms":500}', field: 'name' };

let localEventCounter = 0;

/** Makes one console store. Engine adapters call its actions directly; components read it with narrow selectors. */
export function createConsoleStore(info: ConsoleInfo, initial: Partial<ConsoleState> = {}): ConsoleStore {
  return createStore<ConsoleState & ConsoleStoreActions>()((set, get) => ({
    info,
    connection: { status: 'connecting', sinceMs: info.startedAtMs },
    role: undefined,
    snapshot: undefined,
    nowMs: info.startedAtMs,
    children: [],
    workerRows: [],
    throughput: [],
    throughputMark: undefined,
    lastRecovery: undefined,
    events: [],
    lastStreamId: '0-0',
    focus: 'workers',
    selectedWorkerKey: undefined,
    selectedPendingIndex: 0,
    overlay: undefined,
    chaos: { enabled: false, intervalMs: 5000 },
    notice: undefined,
    stopping: undefined,
    ...initial,

    applySnapshot(snapshot, nowMs, role) {
      const state = get();
      const workerRows = buildWorkerRows(snapshot.workers, { children: state.children, nowMs, localHost: state.info.localHost });
      set({
        snapshot,
        nowMs,
        role,
        workerRows,
        selectedWorkerKey: keepSelection(workerRows, state.selectedWorkerKey),
        selectedPendingIndex: Math.min(state.selectedPendingIndex, Math.max(0, snapshot.pendingHead.length - 1)),
        ...sampleThroughput(state, snapshot, nowMs),
        ...mergeStreamEvents(state, snapshot),
        connection: state.connection.status === 'connected' ? state.connection : { status: 'connected', sinceMs: nowMs },
      });
    },

    markDisconnected(error, nowMs) {
      const { connection } = get();
      const sinceMs = connection.status === 'disconnected' ? connection.sinceMs : nowMs;
      set({ connection: { status: 'disconnected', error, sinceMs }, nowMs, throughputMark: undefined });
    },

    markConnected(nowMs) {
      if (get().connection.status !== 'connected') set({ connection: { status: 'connected', sinceMs: nowMs } });
    },

    setChildren(children) {
      const state = get();
      const workerRows = buildWorkerRows(state.snapshot?.workers ?? [], { children, nowMs: state.nowMs, localHost: state.info.localHost });
      set({ children, workerRows, selectedWorkerKey: keepSelection(workerRows, state.selectedWorkerKey) });
    },

    recordRecovery(timing) {
      set({ lastRecovery: timing });
    },

    pushEvent(level, text, atMs = Date.now()) {
      localEventCounter++;
      set({ events: appendBounded(get().events, [{ id: `local-${localEventCounter}`, atMs, level, text }], eventCapacity) });
    },

    setNotice(text, level = 'info') {
      set({ notice: { text, level, atMs: Date.now() } });
    },

    moveSelection(delta) {
      const state = get();
      if (state.focus === 'pending') {
        const last = Math.max(0, (state.snapshot?.pendingHead.length ?? 0) - 1);
        set({ selectedPendingIndex: clamp(state.selectedPendingIndex + delta, 0, last) });
        return;
      }
      const rows = state.workerRows;
      if (rows.length === 0) return;
      const current = rows.findIndex((row) => row.key === state.selectedWorkerKey);
      const next = clamp((current < 0 ? 0 : current) + delta, 0, rows.length - 1);
      set({ selectedWorkerKey: rows[next]?.key });
    },

    toggleFocus() {
      set({ focus: get().focus === 'workers' ? 'pending' : 'workers' });
    },

    openOverlay(overlay) {
      set({ overlay });
    },

    closeOverlay() {
      set({ overlay: undefined });
    },

    updateInjectForm(change) {
      const { overlay } = get();
      if (overlay?.kind !== 'inject') return;
      set({ overlay: { kind: 'inject', form: { ...overlay.form, ...change } } });
    },

    setConfirmChoice(choice) {
      const { overlay } = get();
      if (overlay?.kind !== 'confirm') return;
      set({ overlay: { ...overlay, choice } });
    },

    setChaos(change) {
      set({ chaos: { ...get().chaos, ...change } });
    },

    setStopping(message) {
      set({ stopping: message, overlay: undefined });
    },
  }));
}

/** Keeps the selected row while it exists, otherwise selects the first row. */
function keepSelection(rows: readonly WorkerRow[], selected: string | undefined): string | undefined {
  if (selected && rows.some((row) => row.key === selected)) return selected;
  return rows[0]?.key;
}

/** Adds one throughput sample each time a whole second has passed since the last one. */
function sampleThroughput(state: ConsoleState, snapshot: QueueSnapshot, nowMs: number): Pick<ConsoleState, 'throughput' | 'throughputMark'> {
  const completed = snapshot.stats.completed ?? 0;
  const mark = state.throughputMark;
  if (!mark || completed < mark.completed) return { throughput: state.throughput, throughputMark: { atMs: nowMs, completed } };

  const elapsedMs = nowMs - mark.atMs;
  if (elapsedMs < 1000) return { throughput: state.throughput, throughputMark: mark };
  const perSecond = ((completed - mark.completed) * 1000) / elapsedMs;
  return { throughput: appendBounded(state.throughput, [perSecond], throughputCapacity), throughputMark: { atMs: nowMs, completed } };
}

/** Appends the stream events newer than the last one seen, oldest first. */
function mergeStreamEvents(state: ConsoleState, snapshot: QueueSnapshot): Pick<ConsoleState, 'events' | 'lastStreamId'> {
  const fresh = snapshot.events.filter((event) => compareStreamIds(event.id, state.lastStreamId) > 0).sort((left, right) => compareStreamIds(left.id, right.id));
  if (fresh.length === 0) return { events: state.events, lastStreamId: state.lastStreamId };
  const lines = fresh.map(describeStreamEvent).filter((line): line is ConsoleEvent => line !== undefined);
  return { events: appendBounded(state.events, lines, eventCapacity), lastStreamId: fresh[fresh.length - 1]?.id ?? state.lastStreamId };
}

function appendBounded<T>(list: readonly T[], added: readonly T[], capacity: number): T[] {
  if (added.length === 0) return list as T[];
  const joined = [...list, ...added];
  return joined.length > capacity ? joined.slice(joined.length - capacity) : joined;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** Returns the selected worker row, if any. */
export function selectedWorker(state: ConsoleState): WorkerRow | undefined {
  return state.workerRows.find((row) => row.key === state.selectedWorkerKey);
}

/** Counts the tasks that entered the queue but are nowhere: 0 unless a task was lost. */
export function lostTasks(state: ConsoleState): number | undefined {
  return state.snapshot ? lostCount(state.snapshot) : undefined;
}
