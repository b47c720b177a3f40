import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { QueueFixture, startFaultRedis, type TestRedis } from '../chaos/fixture.js';
import { sleep } from '../../engine/timing.js';
import { waitFor } from '../support/redis.js';

let redis: TestRedis;
let fixture: QueueFixture;
beforeAll(async () => {
  redis = await startFaultRedis({ appendOnly: true, appendFsync: 'always' });
});
afterEach(async () => {
  await fixture.cleanup();
});
afterAll(async () => {
  await redis.cleanup();
});

describe('redis-server killed with SIGKILL and restarted', () => {
  it('acks tasks that were processing across the restart', async () => {
    fixture = new QueueFixture(redis);
    fixture.master();
    fixture.worker('W1', { concurrency: 2, heartbeatMs: 1000, heartbeatTtlMs: 3000 });
    const ids = [await fixture.enqueue('work', { ms: 3000 }), await fixture.enqueue('work', { ms: 3000 })];
    for (const id of ids) expect(await fixture.waitForRecords(id, 'start')).toHaveLength(1);

    await redis.kill();
    await sleep(300);
    await redis.restart();

    for (const id of ids) expect(await waitFor(async () => (await fixture.auditCount(id)) === 1, 20_000)).toBe(true);
    expect(await fixture.stat('completed')).toBe(2);
    expect(await fixture.processingCount()).toBe(0);
    expect(await redis.client.llen(fixture.keys.pending)).toBe(0);
    expect(await redis.client.llen(fixture.keys.dead)).toBe(0);
  });

  it('has every worker claim again within 5 s', async () => {
    fixture = new QueueFixture(redis);
    fixture.master();
    const names = ['W1', 'W2', 'W3'];
    for (const name of names) fixture.worker(name, { heartbeatMs: 1000, heartbeatTtlMs: 3000 });
    for (const name of names) expect(await fixture.waitForRegistered(name)).toBeDefined();
    await sleep(500);

    await redis.kill();
    await sleep(1000);
    await redis.restart();
    const restartedAtMs = Date.now();
    await Promise.all(Array.from({ length: 30 }, () => fixture.enqueue('work', { ms: 300 })));

    const firstStartMs = new Map<string, number>();
    await waitFor(() => {
      for (const record of fixture.records()) {
        const name = record.workerKey.split(':')[0] as string;
        if (record.event === 'start' && !firstStartMs.has(name)) firstStartMs.set(name, record.atMs);
      }
      return firstStartMs.size === names.length;
    }, 15_000);
    for (const name of names) expect(firstStartMs.get(name)! - restartedAtMs, `first claim of ${name} after the restart`).toBeLessThan(5000);
  });

  it('re-registers a worker whose heartbeat expired while Redis was down', async () => {
    fixture = new QueueFixture(redis);
    fixture.master();
    fixture.worker('W1', { heartbeatMs: 300, heartbeatTtlMs: 1000 });
    const firstKey = await fixture.waitForRegistered('W1');
    expect(firstKey).toBeDefined();
    await sleep(500);

    // Down for longer than the TTL: the heartbeat key, kept in the AOF with its expiry time, is gone on restart.
    await redis.kill();
    await sleep(2000);
    await redis.restart();

    expect(await fixture.waitForRegistered('W1', 10_000, firstKey)).toBeDefined();
    const id = await fixture.enqueue('work', { ms: 10 });
    const ends = await fixture.waitForRecords(id, 'end', 1, 10_000);
    expect(ends).toHaveLength(1);
    expect(ends[0]?.workerKey).not.toBe(firstKey);
    expect(await waitFor(async () => !(await redis.client.hexists(fixture.keys.workers, firstKey as string)), 5000)).toBe(true);
  });

  it('keeps the master requeueing after a restart mid-sweep', async () => {
    fixture = new QueueFixture(redis);
    // Thousands of live registry entries make every sweep a long pipeline, so Redis dies while one is in flight.
    const fakeWorkers = Array.from({ length: 20_000 }, (_, index) => `Fake${index}:000000000000`);
    await redis.client.hset(fixture.keys.workers, Object.fromEntries(fakeWorkers.map((workerKey) => [workerKey, '{}'])));
    const pipeline = redis.client.pipeline();
    for (const workerKey of fakeWorkers) pipeline.set(fixture.keys.heartbeat(workerKey), '1', 'PX', 600_000);
    await pipeline.exec();
    const master = fixture.master({ sweepMs: 10 });
    // A master still starting up when Redis dies exits 1 by design; this test is about one that already sweeps.
    expect(await waitFor(() => readFileSync(master.logPath, 'utf8').includes('"event":"started"'), 15_000)).toBe(true);
    const worker = fixture.worker('W1');
    const id = await fixture.enqueue('work', { ms: 50, firstMs: 60_000 });
    expect(await fixture.waitForRecords(id, 'start')).toHaveLength(1);

    await redis.kill();
    await sleep(300);
    await redis.restart();
    await sleep(1500);
    worker.signal('SIGKILL');
    await worker.exited;
    fixture.worker('W2');

    const ends = await fixture.waitForRecords(id, 'end', 1, 15_000);
    expect(ends).toHaveLength(1);
  });

  it('has busy workers claim again after a restart', async () => {
    fixture = new QueueFixture(redis);
    fixture.master();
    const names = ['W1', 'W2', 'W3'];
    // Short heartbeats and tiny tasks keep commands in flight on every connection when Redis dies.
    for (const name of names) fixture.worker(name, { concurrency: 4, heartbeatMs: 100, heartbeatTtlMs: 3000 });
    const ids = await fixture.producer.enqueueBulk(Array.from({ length: 6000 }, () => ({ name: 'work', payload: { ms: 1 } })));
    expect(await waitFor(() => fixture.records().filter((record) => record.event === 'end').length >= 300, 15_000)).toBe(true);

    await redis.kill();
    await sleep(300);
    await redis.restart();
    const restartedAtMs = Date.now();

    await waitFor(async () => (await fixture.stat('completed')) === ids.length, 30_000);
    expect(await fixture.stat('completed')).toBe(ids.length);
    const audit = await redis.client.hgetall(fixture.keys.audit);
    expect(ids.filter((id) => audit[id] === undefined)).toEqual([]);
    for (const name of names) {
      const firstAfter = fixture.records().find((record) => record.event === 'start' && record.workerKey.startsWith(`${name}:`) && record.atMs >= restartedAtMs);
      expect(firstAfter, `a claim by ${name} after the restart`).toBeDefined();
      expect(firstAfter!.atMs - restartedAtMs, `first claim of ${name} after the restart`).toBeLessThan(5000);
    }
  }, 90_000);
});
