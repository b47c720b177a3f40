import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../engine/index.js';
import { eventCapacity, throughputCapacity } from '../../src/store.js';
import { buildWorkerRows } from '../../src/worker-rows.js';
import { child, fixtureStore, localHost, nowMs, snapshot, worker } from './fixtures.js';

function rowsOf(registry: Parameters<typeof buildWorkerRows>[0], children: Parameters<typeof buildWorkerRows>[1]['children']) {
  return buildWorkerRows(registry, { children, nowMs, localHost });
}

describe('worker rows', () => {
  it('derive the state from the heartbeat', () => {
    const rows = rowsOf([
      worker('W1', 'aaaaaaaaaaaa', 1, { heartbeatTtlLeftMs: 2900 }),
      worker('W2', 'bbbbbbbbbbbb', 2, { heartbeatTtlLeftMs: 1000 }),
      worker('W3', 'cccccccccccc', 3, { heartbeatTtlLeftMs: -2 }),
    ], []);
    expect(rows.map((row) => row.state)).toEqual(['alive', 'stale', 'dead']);
    expect(rows.map((row) => row.heartbeatAgeMs)).toEqual([100, 2000, undefined]);
  });

  it('mark a killed child dead while registered', () => {
    const [row] = rowsOf([worker('W1', 'aaaaaaaaaaaa', 41)], [child('W1', 41, { state: 'exited', exitSignal: 'SIGKILL' })]);
    expect(row?.state).toBe('dead');
    expect(row?.spawned).toBe(true);
    expect(row?.exit).toBe('SIGKILL');
  });

  it('hide an exited child once deregistered', () => {
    expect(rowsOf([], [child('W1', 41, { state: 'exited', exitCode: 0 })])).toEqual([]);
  });

  it('show unregistered live children', () => {
    const rows = rowsOf([], [child('W1', 41), child('W2', 42, { state: 'frozen' }), child('W3', 43, { state: 'stopping' })]);
    expect(rows.map((row) => `${row.name} ${row.state}`)).toEqual(['W1 starting', 'W2 frozen', 'W3 stopping']);
  });

  it('match children by host and pid', () => {
    const rows = rowsOf([worker('W1', 'aaaaaaaaaaaa', 41, { host: 'elsewhere' })], [child('W1', 41)]);
    expect(rows.map((row) => `${row.key} ${row.spawned}`)).toEqual(['spawned:W1:41 true', 'W1:aaaaaaaaaaaa false']);
  });

  it('sort names naturally', () => {
    const rows = rowsOf([worker('W10', 'a', 10), worker('W2', 'b', 2), worker('W1', 'c', 1)], []);
    expect(rows.map((row) => row.name)).toEqual(['W1', 'W2', 'W10']);
  });

  it('time the longest running task', () => {
    const [row] = rowsOf([worker('W1', 'a', 1, { processingCount: 2, running: [{ id: 'x', name: 'sleep', startedAtMs: nowMs - 700 }, { id: 'y', name: 'sleep', startedAtMs: nowMs - 200 }] })], []);
    expect(row?.longestRunningMs).toBe(700);
  });
});

describe('store', () => {
  it('samples throughput once a second', () => {
    const store = fixtureStore();
    store.getState().applySnapshot(snapshot({ stats: { completed: 10 } }), nowMs, 'leader');
    store.getState().applySnapshot(snapshot({ stats: { completed: 15 } }), nowMs + 500, 'leader');
    expect(store.getState().throughput).toEqual([]);
    store.getState().applySnapshot(snapshot({ stats: { completed: 30 } }), nowMs + 2000, 'leader');
    expect(store.getState().throughput).toEqual([10]);
  });

  it('keeps a minute of throughput', () => {
    const store = fixtureStore();
    for (let second = 0; second <= throughputCapacity + 10; second++) {
      store.getState().applySnapshot(snapshot({ stats: { completed: second * 3 } }), nowMs + second * 1000, 'leader');
    }
    expect(store.getState().throughput).toHaveLength(throughputCapacity);
  });

  it('appends each stream event once', () => {
    const store = fixtureStore();
    const event = (id: string): StreamEvent => ({ id, atMs: Number(id.split('-')[0]), type: 'workerDead', data: { workerKey: `W1:${id}`, heldCount: 1 } });
    store.getState().applySnapshot(snapshot({ events: [event('1000-1'), event('1000-0')] }), nowMs, 'leader');
    store.getState().applySnapshot(snapshot({ events: [event('2000-0'), event('1000-1'), event('1000-0')] }), nowMs + 250, 'leader');
    expect(store.getState().events.map((line) => line.id)).toEqual(['1000-0', '1000-1', '2000-0']);
    expect(store.getState().events[2]?.text).toBe('W1:2000-0 declared dead (heartbeat expired) holding 1 task(s)');
  });

  it('bounds the events ring buffer', () => {
    const store = fixtureStore();
    for (let i = 0; i < eventCapacity + 50; i++) store.getState().pushEvent('info', `line ${i}`, nowMs);
    const { events } = store.getState();
    expect(events).toHaveLength(eventCapacity);
    expect(events[events.length - 1]?.text).toBe(`line ${eventCapacity + 49}`);
  });

  it('keeps the selection on its row', () => {
    const store = fixtureStore();
    store.getState().applySnapshot(snapshot({ workers: [worker('W1', 'a', 1), worker('W2', 'b', 2)] }), nowMs, 'leader');
    store.getState().moveSelection(1);
    store.getState().applySnapshot(snapshot({ workers: [worker('W0', 'c', 3), worker('W1', 'a', 1), worker('W2', 'b', 2)] }), nowMs, 'leader');
    expect(store.getState().selectedWorkerKey).toBe('W2:b');
    store.getState().applySnapshot(snapshot({ workers: [worker('W0', 'c', 3)] }), nowMs, 'leader');
    expect(store.getState().selectedWorkerKey).toBe('W0:c');
  });

  it('keeps the outage start while disconnected', () => {
    const store = fixtureStore();
    store.getState().markDisconnected('connect ECONNREFUSED', nowMs);
    store.getState().markDisconnected('connect ECONNREFUSED', nowMs + 5000);
    expect(store.getState().connection).toEqual({ status: 'disconnected', error: 'connect ECONNREFUSED', sinceMs: nowMs });
    store.getState().applySnapshot(snapshot(), nowMs + 6000, 'leader');
    expect(store.getState().connection.status).toBe('connected');
  });
});
