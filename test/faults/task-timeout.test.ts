import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { QueueFixture, startFaultRedis, type TestRedis } from '../chaos/fixture.js';
import { waitFor } from '../support/redis.js';

let redis: TestRedis;
let fixture: QueueFixture;
beforeAll(async () => {
  redis = await startFaultRedis();
});
afterEach(async () => {
  await fixture.cleanup();
});
afterAll(async () => {
  await redis.cleanup();
});

describe('handler that never settles', () => {
  it('is aborted at the worker timeout and retried', async () => {
    fixture = new QueueFixture(redis);
    fixture.master();
    fixture.worker('W1', { concurrency: 1, taskTimeoutMs: 500 });
    const workerKey = await fixture.waitForRegistered('W1');
    const hungId = await fixture.enqueue('hang', { ms: 10, hangAttempts: 1 }, { maxAttempts: 3 });
    const nextId = await fixture.enqueue('work', { ms: 10 });

    const aborts = await fixture.waitForRecords(hungId, 'abort');
    expect(aborts).toHaveLength(1);
    const starts = fixture.recordsOf(hungId, 'start');
    expect(aborts[0]!.atMs - starts[0]!.atMs).toBeGreaterThanOrEqual(450);
    // Concurrency 1: the next task runs only if the hung handler's slot was freed.
    expect(await fixture.waitForRecords(nextId, 'end')).toHaveLength(1);
    const ends = await fixture.waitForRecords(hungId, 'end', 1, 10_000);
    expect(ends).toHaveLength(1);
    expect(ends[0]?.attempt).toBe(2);
    expect(await fixture.auditCount(hungId)).toBe(1);
    // The heartbeat stayed alive throughout: the same incarnation did all of it.
    expect(ends[0]?.workerKey).toBe(workerKey);
    expect(await redis.client.hexists(fixture.keys.workers, workerKey as string)).toBe(1);
  });

  it('is dead-lettered when it times out on every attempt', async () => {
    fixture = new QueueFixture(redis);
    fixture.master();
    fixture.worker('W1', { concurrency: 1 });
    const id = await fixture.enqueue('hang', { ms: 10, hangAttempts: 1000 }, { maxAttempts: 2, timeoutMs: 300 });

    expect(await waitFor(async () => (await redis.client.llen(fixture.keys.dead)) === 1, 15_000)).toBe(true);
    const record = JSON.parse((await redis.client.lindex(fixture.keys.dead, 0)) as string) as { taskId: string; reason: string };
    expect(record.taskId).toBe(id);
    expect(record.reason).toContain('timed out after 300 ms');
    expect(fixture.recordsOf(id, 'start')).toHaveLength(2);
    expect(fixture.recordsOf(id, 'abort')).toHaveLength(2);
    expect(await fixture.processingCount()).toBe(0);
  });
});
