import { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Master, queueKeys, createRedis } from '../engine/index.js';
import { resolveConfig } from '../src/config.js';
import { ConsoleSession } from '../src/console-session.js';
import { createConsoleStore } from '../src/store.js';
import type { SupervisedWorker, Supervisor } from '../src/supervisor.js';
import { freshQueueName, startTestRedis, waitFor } from './support/redis.js';

/** A supervisor that records signals and spawns instead of starting processes. */
class FakeSupervisor extends EventEmitter {
  readonly children: SupervisedWorker[] = [];
  readonly killed: string[] = [];
  private next = 1;

  list(): SupervisedWorker[] {
    return this.children.map((child) => ({ ...child }));
  }

  liveCount(): number {
    return this.children.filter((child) => child.state !== 'exited').length;
  }

  spawn(): SupervisedWorker {
    const child: SupervisedWorker = { name: `W${this.next}`, pid: 1000 + this.next, state: 'running', startedAtMs: Date.now(), logPath: `W${this.next}.log` };
    this.next++;
    this.children.push(child);
    this.emit('change');
    return { ...child };
  }

  kill(name: string): boolean {
    const child = this.children.find((candidate) => candidate.name === name && candidate.state !== 'exited');
    if (!child) return false;
    child.state = 'exited';
    child.exitSignal = 'SIGKILL';
    this.killed.push(name);
    this.emit('change');
    return true;
  }

  async stopAll(): Promise<void> {
    for (const child of this.children) child.state = 'exited';
  }
}

let redis: Awaited<ReturnType<typeof startTestRedis>>;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis.cleanup();
});

async function openSession() {
  const queue = freshQueueName('session');
  const config = { ...resolveConfig({ queue }, {}, {}, process.cwd()), redisUrl: redis.url };
  const master = new Master({ url: redis.url, queue, sweepIntervalMs: 100 });
  await master.start();
  const connection = createRedis({ url: redis.url }, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  await connection.connect();
  const store = createConsoleStore({ queue, redisDisplay: redis.url, embedded: false, startedAtMs: Date.now(), color: false, audit: true, localHost: 'test' });
  const supervisor = new FakeSupervisor();
  const keys = queueKeys('dtq', queue);
  const session = new ConsoleSession({ config, target: { url: redis.url, displayUrl: redis.url, embedded: false }, master, supervisor: supervisor as unknown as Supervisor, redis: connection, keys, store });
  session.start();
  return { session, store, supervisor, keys };
}

describe('console session', () => {
  it('fills the store every tick', async () => {
    const { session, store } = await openSession();
    expect(await waitFor(() => store.getState().snapshot !== undefined && store.getState().role === 'leader', 5000)).toBe(true);
    expect(store.getState().connection.status).toBe('connected');
    await session.stop(0);
  });

  it('injects, pauses and requeues dead tasks', async () => {
    const { session, store, keys } = await openSession();
    session.injectTasks({ name: 'echo', count: 12, payload: { n: 1 } });
    expect(await waitFor(async () => (await redis.client.llen(keys.pending)) === 12)).toBe(true);
    session.injectBurst();
    expect(await waitFor(async () => (await redis.client.llen(keys.pending)) === 112)).toBe(true);

    expect(await waitFor(() => store.getState().snapshot?.pendingCount === 112)).toBe(true);
    session.togglePause();
    expect(await waitFor(async () => (await redis.client.exists(keys.paused)) === 1)).toBe(true);
    expect(await waitFor(() => store.getState().snapshot?.paused === true)).toBe(true);
    session.togglePause();
    expect(await waitFor(async () => (await redis.client.exists(keys.paused)) === 0)).toBe(true);

    await redis.client.lpush(keys.dead, JSON.stringify({ entry: 'not an envelope', reason: 'invalid', at: Date.now() }));
    session.requeueDead();
    expect(await waitFor(async () => (await redis.client.llen(keys.dead)) === 0)).toBe(true);
    expect(await waitFor(() => store.getState().events.some((line) => line.text.startsWith('requeued 1 dead-letter task(s)')))).toBe(true);
    await session.stop(0);
  });

  it('chaos monkey kills and replaces', async () => {
    const { session, store, supervisor } = await openSession();
    session.spawnWorker();
    store.getState().setChaos({ intervalMs: 1000 });
    session.toggleChaos();
    expect(store.getState().chaos.enabled).toBe(true);
    expect(await waitFor(() => supervisor.killed.length >= 1, 5000)).toBe(true);
    expect(supervisor.killed[0]).toBe('W1');
    expect(supervisor.liveCount()).toBe(1);
    expect(supervisor.list().map((child) => child.name)).toEqual(['W1', 'W2']);
    session.toggleChaos();
    expect(store.getState().chaos.enabled).toBe(false);
    await session.stop(0);
  });

  it('reports a kill of a stopped worker', async () => {
    const { session, store } = await openSession();
    session.killWorker('W7');
    expect(store.getState().notice?.text).toBe('W7 is not running any more');
    await session.stop(0);
  });
});
