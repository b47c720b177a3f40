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

describe('worker stopped with SIGTERM', () => {
  it('finishes a running task before exiting', async () => {
    fixture = new QueueFixture(redis);
    const worker = fixture.worker('W1', { shutdownTimeoutMs: 5000 });
    const id = await fixture.enqueue('work', { ms: 1500 });
    expect(await fixture.waitForRecords(id, 'start')).toHaveLength(1);

    worker.signal('SIGTERM');
    const exit = await worker.exited;

    expect(exit.code).toBe(0);
    expect(fixture.recordsOf(id, 'end')).toHaveLength(1);
    expect(await fixture.auditCount(id)).toBe(1);
    expect(await redis.client.hlen(fixture.keys.workers)).toBe(0);
    expect(await fixture.processingCount()).toBe(0);
  });

  it('releases a task that outlives the shutdown timeout', async () => {
    fixture = new QueueFixture(redis);
    const worker = fixture.worker('W1', { shutdownTimeoutMs: 500 });
    const id = await fixture.enqueue('work', { ms: 50, firstMs: 60_000 });
    expect(await fixture.waitForRecords(id, 'start')).toHaveLength(1);

    const termAtMs = Date.now();
    worker.signal('SIGTERM');
    const exit = await worker.exited;

    expect(exit.code).toBe(0);
    expect(exit.atMs - termAtMs).toBeLessThan(4000);
    expect(await redis.client.llen(fixture.keys.pending)).toBe(1);
    expect(await fixture.processingCount()).toBe(0);
    fixture.worker('W2');
    expect(await fixture.waitForRecords(id, 'end')).toHaveLength(1);
    expect(await waitFor(async () => (await fixture.auditCount(id)) === 1)).toBe(true);
  });

  it('exits promptly from BLMOVE and claims nothing after', async () => {
    fixture = new QueueFixture(redis);
    const worker = fixture.worker('W1');
    expect(await fixture.waitForRegistered('W1')).toBeDefined();
    expect(await waitFor(async () => (await fixture.clients('dtq-worker-W1-claim')).some((client) => client.cmd === 'blmove'))).toBe(true);

    const termAtMs = Date.now();
    worker.signal('SIGTERM');
    const exit = await worker.exited;
    await fixture.enqueue('work', { ms: 10 });
    await new Promise((resolve) => setTimeout(resolve, 1500));

    expect(exit.code).toBe(0);
    expect(exit.atMs - termAtMs).toBeLessThan(2000);
    expect(await redis.client.llen(fixture.keys.pending)).toBe(1);
    expect(await fixture.processingCount()).toBe(0);
    expect(await redis.client.hlen(fixture.keys.workers)).toBe(0);
  });
});
