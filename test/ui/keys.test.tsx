import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { keyBindings } from '../../src/key-bindings.js';
import type { ConsoleStore } from '../../src/store.js';
import { busyStore, emptyStore } from './fixtures.js';
import { recordingActions, renderConsole } from './render.js';

afterEach(() => {
  cleanup();
});

const up = '\u001B[A';
const down = '\u001B[B';
const escape = '\u001B';
const enter = '\r';
const tab = '\t';
const ctrlC = '\u0003';

/** Opens the console on a busy store with W2 (spawned, second row) selected. */
async function openOnW2() {
  const store = busyStore();
  const actions = recordingActions();
  const screen = renderConsole(store, 100, 30, actions);
  await screen.press('j');
  expect(store.getState().selectedWorkerKey).toBe('W2:b2c3d4e5f6a1');
  return { store, actions, screen };
}

function overlayKind(store: ConsoleStore): string | undefined {
  return store.getState().overlay?.kind;
}

/** Every command of the registry, with a check that the key reached it. */
const cases: Record<string, (key: string) => Promise<void>> = {
  selectUp: async (key) => {
    const { store, screen } = await openOnW2();
    await screen.press(key);
    expect(store.getState().selectedWorkerKey).toBe('W1:a1b2c3d4e5f6');
  },
  selectDown: async (key) => {
    const { store, screen } = await openOnW2();
    await screen.press(key);
    expect(store.getState().selectedWorkerKey).toBe('W9:0a1b2c3d4e5f');
  },
  switchPane: async (key) => {
    const { store, screen } = await openOnW2();
    await screen.press(key);
    expect(store.getState().focus).toBe('pending');
    await screen.press(down);
    expect(store.getState().selectedPendingIndex).toBe(1);
  },
  detail: async (key) => {
    const { store, screen } = await openOnW2();
    await screen.press(key);
    expect(store.getState().overlay).toEqual({ kind: 'workerDetail', workerKey: 'W2:b2c3d4e5f6a1' });
    expect(screen.frame()).toContain('Worker W2');
  },
  spawn: async (key) => {
    const { actions, screen } = await openOnW2();
    await screen.press(key);
    expect(actions.spawnWorker).toHaveBeenCalledTimes(1);
  },
  kill: async (key) => {
    const { actions, screen } = await openOnW2();
    await screen.press(key);
    expect(actions.killWorker).toHaveBeenCalledWith('W2');
  },
  terminate: async (key) => {
    const { actions, screen } = await openOnW2();
    await screen.press(key);
    expect(actions.terminateWorker).toHaveBeenCalledWith('W2');
  },
  freeze: async (key) => {
    const { actions, screen } = await openOnW2();
    await screen.press(key);
    expect(actions.toggleFreeze).toHaveBeenCalledWith('W2');
  },
  chaos: async (key) => {
    const { actions, screen } = await openOnW2();
    await screen.press(key);
    expect(actions.toggleChaos).toHaveBeenCalledTimes(1);
  },
  chaosSlower: async (key) => {
    const { store, screen } = await openOnW2();
    await screen.press(key);
    expect(store.getState().chaos.intervalMs).toBe(6000);
  },
  chaosFaster: async (key) => {
    const { store, screen } = await openOnW2();
    await screen.press(key);
    expect(store.getState().chaos.intervalMs).toBe(4000);
  },
  inject: async (key) => {
    const { store, actions, screen } = await openOnW2();
    await screen.press(key);
    expect(overlayKind(store)).toBe('inject');
    await screen.press(enter);
    expect(actions.injectTasks).toHaveBeenCalledWith({ name: 'sleep', count: 20, payload: { ms: 500 } });
    expect(overlayKind(store)).toBeUndefined();
  },
  burst: async (key) => {
    const { actions, screen } = await openOnW2();
    await screen.press(key);
    expect(actions.injectBurst).toHaveBeenCalledTimes(1);
  },
  pause: async (key) => {
    const { actions, screen } = await openOnW2();
    await screen.press(key);
    expect(actions.togglePause).toHaveBeenCalledTimes(1);
  },
  requeueDead: async (key) => {
    const { store, actions, screen } = await openOnW2();
    await screen.press(key);
    expect(overlayKind(store)).toBe('confirm');
    await screen.press('y');
    expect(actions.requeueDead).toHaveBeenCalledTimes(1);
  },
  help: async (key) => {
    const { store, screen } = await openOnW2();
    await screen.press(key);
    expect(overlayKind(store)).toBe('help');
    expect(screen.frame()).toContain('Why K kills');
  },
  close: async (key) => {
    const { store, screen } = await openOnW2();
    await screen.press('?');
    await screen.press(key);
    expect(overlayKind(store)).toBeUndefined();
  },
  quit: async (key) => {
    const { store, actions, screen } = await openOnW2();
    await screen.press(key);
    expect(overlayKind(store)).toBe('confirm');
    await screen.press('y');
    expect(actions.quit).toHaveBeenCalledTimes(1);
  },
  interrupt: async () => {
    const { store, actions, screen } = await openOnW2();
    await screen.press(ctrlC);
    expect(actions.quit).toHaveBeenCalledTimes(1);
    store.getState().setStopping('Stopping 2 worker(s)');
    await screen.press(ctrlC);
    expect(actions.forceQuit).toHaveBeenCalledTimes(1);
  },
};

/** What to type for a key label of the registry. */
const typed: Record<string, string> = { '↑': up, '↓': down, Tab: tab, Enter: enter, Esc: escape, 'Ctrl+C': ctrlC };

describe('key registry', () => {
  it('has a test for every binding', () => {
    expect(keyBindings.map((binding) => binding.command).sort()).toEqual(Object.keys(cases).sort());
  });

  for (const binding of keyBindings) {
    for (const label of binding.keys) {
      it(`${label} runs ${binding.command}`, async () => {
        await cases[binding.command]!(typed[label] ?? label);
      });
    }
  }
});

describe('confirmations', () => {
  it('quit defaults to No on Enter', async () => {
    const { store, actions, screen } = await openOnW2();
    await screen.press('q');
    expect(store.getState().overlay).toMatchObject({ kind: 'confirm', action: 'quit', choice: 'no' });
    await screen.press(enter);
    expect(actions.quit).not.toHaveBeenCalled();
    expect(overlayKind(store)).toBeUndefined();
  });

  it('requeue defaults to No on Enter', async () => {
    const { store, actions, screen } = await openOnW2();
    await screen.press('r');
    await screen.press(enter);
    expect(actions.requeueDead).not.toHaveBeenCalled();
    expect(overlayKind(store)).toBeUndefined();
  });

  it('arrow then Enter answers yes', async () => {
    const { actions, screen } = await openOnW2();
    await screen.press('r');
    await screen.press('\u001B[C');
    await screen.press(enter);
    expect(actions.requeueDead).toHaveBeenCalledTimes(1);
  });

  it('Esc and n cancel', async () => {
    const { actions, screen } = await openOnW2();
    await screen.press('q');
    await screen.press(escape);
    await screen.press('q');
    await screen.press('n');
    expect(actions.quit).not.toHaveBeenCalled();
  });

  it('quit without live children asks nothing', async () => {
    const store = emptyStore();
    const actions = recordingActions();
    const screen = renderConsole(store, 100, 30, actions);
    await screen.press('q');
    expect(actions.quit).toHaveBeenCalledTimes(1);
  });

  it('requeue of an empty list asks nothing', async () => {
    const store = emptyStore();
    const actions = recordingActions();
    const screen = renderConsole(store, 100, 30, actions);
    await screen.press('r');
    expect(store.getState().overlay).toBeUndefined();
    expect(screen.frame()).toContain('the dead-letter list is empty: nothing to requeue');
  });
});

describe('worker signals', () => {
  it('worker running elsewhere cannot be signalled', async () => {
    const { store, actions, screen } = await openOnW2();
    await screen.press('j');
    expect(store.getState().selectedWorkerKey).toBe('W9:0a1b2c3d4e5f');
    for (const key of ['K', 't', 'z']) await screen.press(key);
    expect(actions.killWorker).not.toHaveBeenCalled();
    expect(actions.terminateWorker).not.toHaveBeenCalled();
    expect(actions.toggleFreeze).not.toHaveBeenCalled();
    expect(screen.frame()).toContain('W9 runs elsewhere (pid 777 on other-host): this console can only signal workers it spawned');
  });

  it('signal keys ignore a selected task', async () => {
    const { store, actions, screen } = await openOnW2();
    await screen.press(tab);
    expect(store.getState().focus).toBe('pending');
    for (const key of ['K', 't', 'z']) await screen.press(key);
    expect(actions.killWorker).not.toHaveBeenCalled();
    expect(actions.terminateWorker).not.toHaveBeenCalled();
    expect(actions.toggleFreeze).not.toHaveBeenCalled();
    expect(screen.frame()).toContain('a pending task is selected: press Tab to select a worker');
  });

  it('lowercase k never kills', async () => {
    const { actions, screen } = await openOnW2();
    await screen.press('k');
    expect(actions.killWorker).not.toHaveBeenCalled();
  });

  it('no worker selected says how to spawn', async () => {
    const store = emptyStore();
    const actions = recordingActions();
    const screen = renderConsole(store, 100, 30, actions);
    await screen.press('K');
    expect(actions.killWorker).not.toHaveBeenCalled();
    expect(screen.frame()).toContain('no worker selected: press s to spawn one');
  });
});

describe('fast typing', () => {
  it('runs each key of one chunk', async () => {
    const { store, actions, screen } = await openOnW2();
    await screen.press('-c');
    expect(store.getState().chaos.intervalMs).toBe(4000);
    expect(actions.toggleChaos).toHaveBeenCalledTimes(1);
  });

  it('routes control keys of one chunk in a dialog', async () => {
    const { store, actions, screen } = await openOnW2();
    await screen.press('i');
    await screen.press('\t\t\u007F\u007F\u007F\u007F');
    expect(store.getState().overlay).toMatchObject({ kind: 'inject', form: { field: 'payload', payload: '{"ms":' } });
    await screen.press('5\u007F9}\r');
    expect(actions.injectTasks).toHaveBeenCalledWith({ name: 'sleep', count: 20, payload: { ms: 9 } });
  });

  it('Ctrl+C inside a chunk quits', async () => {
    const { actions, screen } = await openOnW2();
    await screen.press('j\u0003');
    expect(actions.quit).toHaveBeenCalledTimes(1);
  });
});

describe('inject dialog', () => {
  it('edits fields and injects', async () => {
    const { actions, screen } = await openOnW2();
    await screen.press('i');
    for (let i = 0; i < 5; i++) await screen.press('\u007F');
    await screen.press('echo');
    await screen.press(tab);
    await screen.press('\u007F');
    await screen.press('\u007F');
    await screen.press('3');
    await screen.press(tab);
    for (let i = 0; i < 10; i++) await screen.press('\u007F');
    await screen.press('{"n":1}');
    await screen.press(enter);
    expect(actions.injectTasks).toHaveBeenCalledWith({ name: 'echo', count: 3, payload: { n: 1 } });
  });

  it('invalid payload keeps the dialog open', async () => {
    const { store, actions, screen } = await openOnW2();
    await screen.press('i');
    await screen.press(up);
    await screen.press('x');
    await screen.press(enter);
    expect(actions.injectTasks).not.toHaveBeenCalled();
    expect(store.getState().overlay).toMatchObject({ kind: 'inject', form: { field: 'payload' } });
    expect(screen.frame()).toContain('payload: not valid JSON');
  });

  it('q types into a field', async () => {
    const { store, actions, screen } = await openOnW2();
    await screen.press('i');
    await screen.press('q');
    expect(actions.quit).not.toHaveBeenCalled();
    expect(store.getState().overlay).toMatchObject({ kind: 'inject', form: { name: 'sleepq' } });
  });
});
