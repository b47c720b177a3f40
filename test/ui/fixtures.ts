import type { QueueSnapshot, WorkerSnapshot } from '../../engine/index.js';
import type { ConsoleEvent } from '../../src/console-events.js';
import { createConsoleStore, type ConsoleState, type ConsoleStore } from '../../src/store.js';
import type { SupervisedWorker } from '../../src/supervisor.js';

/** Fixed clock of every fixture: 2026-12-04 12:00:00 UTC. */
export const nowMs = Date.UTC(2026, 11, 4, 12, 0, 0);
export const localHost = 'lab-host';

/** Builds an envelope as a producer writes it, enqueued `ageMs` before the fixed clock. */
export function envelope(id: string, name: string, payload: unknown, ageMs = 0): string {
  return JSON.stringify({ id, name, payload, attempt: 1, maxAttempts: 5, enqueuedAt: nowMs - ageMs });
}

/** Builds a registered worker with a fresh heartbeat, changed by `overrides`. */
export function worker(name: string, incarnation: string, pid: number, overrides: Partial<WorkerSnapshot> = {}): WorkerSnapshot {
  return {
    workerKey: `${name}:${incarnation}`,
    name,
    incarnation,
    pid,
    host: localHost,
    concurrency: 1,
    startedAtMs: nowMs - 60_000,
    heartbeatTtlMs: 3000,
    heartbeatTtlLeftMs: 2600,
    completedCount: 0,
    running: [],
    processingCount: 0,
    processing: [],
    ...overrides,
  };
}

/** Builds a child process as the supervisor lists it. */
export function child(name: string, pid: number, overrides: Partial<SupervisedWorker> = {}): SupervisedWorker {
  return { name, pid, state: 'running', startedAtMs: nowMs - 60_000, logPath: `.dtq/logs/${name}.log`, ...overrides };
}

/** Builds a snapshot with every count zero, changed by `overrides`. */
export function snapshot(overrides: Partial<QueueSnapshot> = {}): QueueSnapshot {
  return {
    pendingCount: 0,
    delayedCount: 0,
    deadCount: 0,
    processingCount: 0,
    workerCount: 0,
    stats: {},
    master: 'lab-host:100:abcd1234',
    paused: false,
    pendingHead: [],
    workers: [],
    events: [],
    serverTimeMs: nowMs,
    ...overrides,
  };
}

function event(offsetMs: number, level: ConsoleEvent['level'], text: string): ConsoleEvent {
  return { id: `local-${offsetMs}`, atMs: nowMs - offsetMs, level, text };
}

/** Creates a store whose clock is fixed and whose colour is off, as the snapshot tests need. */
export function fixtureStore(state: Partial<ConsoleState> = {}): ConsoleStore {
  const store = createConsoleStore(
    { queue: 'default', redisDisplay: 'redis://127.0.0.1:6390 (embedded)', embedded: true, startedAtMs: nowMs - 125_000, color: false, audit: true, localHost },
    { nowMs, connection: { status: 'connected', sinceMs: nowMs - 125_000 }, role: 'leader', ...state },
  );
  return store;
}

/** Applies a snapshot and children through the store's own actions, so the worker rows are derived as in the console. */
export function withSnapshot(store: ConsoleStore, value: QueueSnapshot, children: SupervisedWorker[] = []): ConsoleStore {
  store.getState().setChildren(children);
  store.getState().applySnapshot(value, nowMs, 'leader');
  return store;
}

/** No worker, no task. */
export function emptyStore(): ConsoleStore {
  return withSnapshot(fixtureStore(), snapshot());
}

/** Three workers busy on a long queue, one of them running elsewhere. */
export function busyStore(): ConsoleStore {
  const store = fixtureStore({
    throughput: [0, 2, 5, 9, 12, 14, 15, 15, 13, 16, 18, 17, 12, 8, 11, 14, 15, 16],
    events: [
      event(40_000, 'info', 'spawned W1 (pid 4101); log .dtq/logs/W1.log'),
      event(39_000, 'info', 'spawned W2 (pid 4102); log .dtq/logs/W2.log'),
      event(30_000, 'info', 'injected 2000 sleep task(s) with payload {"ms":500}'),
      event(12_000, 'warn', 'W9:0a1b2c3d4e5f lost the lease on task 01JF0000000000000000000009 at ack: the task was requeued while it ran'),
    ],
  });
  return withSnapshot(
    store,
    snapshot({
      pendingCount: 1234,
      processingCount: 3,
      delayedCount: 2,
      deadCount: 1,
      workerCount: 3,
      stats: { enqueued: 2000, completed: 760, dead: 1, leaseLost: 1, duplicateCompletions: 0, recovered: 4 },
      pendingHead: [
        envelope('01JF0000000000000000000101', 'sleep', { ms: 500 }, 42_000),
        envelope('01JF0000000000000000000102', 'sleep', { ms: 500 }, 41_000),
        envelope('01JF0000000000000000000103', 'cpu', { ms: 50, label: 'a long payload that the pane truncates at its width' }, 40_000),
      ],
      workers: [
        worker('W1', 'a1b2c3d4e5f6', 4101, { completedCount: 310, processingCount: 1, running: [{ id: '01JF0000000000000000000001', name: 'sleep', startedAtMs: nowMs - 300 }], processing: [envelope('01JF0000000000000000000001', 'sleep', { ms: 500 })] }),
        worker('W2', 'b2c3d4e5f6a1', 4102, { completedCount: 298, heartbeatTtlLeftMs: 1200, processingCount: 1, running: [{ id: '01JF0000000000000000000002', name: 'sleep', startedAtMs: nowMs - 1800 }], processing: [envelope('01JF0000000000000000000002', 'sleep', { ms: 500 })] }),
        worker('W9', '0a1b2c3d4e5f', 777, { host: 'other-host', completedCount: 152, processingCount: 1, running: [{ id: '01JF0000000000000000000003', name: 'cpu', startedAtMs: nowMs - 50 }], processing: [envelope('01JF0000000000000000000003', 'cpu', { ms: 50 })] }),
      ],
    }),
    [child('W1', 4101), child('W2', 4102)],
  );
}

/** W1 was SIGKILLed holding two tasks: its row stays, dimmed, until the master requeues them. */
export function recoveringStore(): ConsoleStore {
  const store = fixtureStore({
    events: [
      event(2000, 'warn', 'sent SIGKILL to W1 (pid 4101): its tasks return within about 3.5 s (heartbeat TTL + sweep)'),
      event(1990, 'warn', 'W1 (pid 4101) exited by SIGKILL; log .dtq/logs/W1.log'),
    ],
  });
  return withSnapshot(
    store,
    snapshot({
      pendingCount: 10,
      processingCount: 3,
      workerCount: 2,
      stats: { enqueued: 40, completed: 27 },
      pendingHead: [envelope('01JF0000000000000000000201', 'sleep', { ms: 500 }, 3000)],
      workers: [
        worker('W1', 'a1b2c3d4e5f6', 4101, { completedCount: 14, heartbeatTtlLeftMs: 1000, processingCount: 2, running: [{ id: '01JF0000000000000000000011', name: 'sleep', startedAtMs: nowMs - 2400 }], processing: [envelope('01JF0000000000000000000011', 'sleep', { ms: 500 }), envelope('01JF0000000000000000000012', 'sleep', { ms: 500 })] }),
        worker('W2', 'b2c3d4e5f6a1', 4102, { completedCount: 13, processingCount: 1, running: [{ id: '01JF0000000000000000000013', name: 'sleep', startedAtMs: nowMs - 100 }] }),
      ],
    }),
    [child('W1', 4101, { state: 'exited', exitSignal: 'SIGKILL', exitCode: null, killedAtMs: nowMs - 2000 }), child('W2', 4102)],
  );
}
