import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Master, Producer, Worker, queueKeys, readSnapshot, lostCount } from '../engine/index.js';
import { freshQueueName, startTestRedis, waitFor } from './support/redis.js';

let redis: Awaited<ReturnType<typeof startTestRedis>>;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis.cleanup();
});

describe('engine in one process', () => {
  it('runs every enqueued task once and acks it', async () => {
    const queue = freshQueueName();
    const seen: string[] = [];
    const producer = new Producer({ url: redis.url, queue });
    const worker = new Worker({ url: redis.url, queue, concurrency: 4, handlers: { echo: async (payload: { n: number }, ctx) => void seen.push(`${payload.n}:${ctx.taskId}`) } });
    await worker.start();
    const ids = await producer.enqueueBulk(Array.from({ length: 200 }, (_, n) => ({ name: 'echo', payload: { n } })));
    expect(ids).toHaveLength(200);

    expect(await waitFor(() => seen.length >= 200)).toBe(true);
    const keys = queueKeys('dtq', queue);
    expect(await waitFor(async () => Number(await redis.client.hget(keys.stats, 'completed')) === 200)).toBe(true);
    const snapshot = await readSnapshot(redis.client, keys);
    expect(snapshot.pendingCount).toBe(0);
    expect(snapshot.processingCount).toBe(0);
    expect(lostCount(snapshot)).toBe(0);
    await worker.stop();
    await producer.close();
  });

  it('retries a failing handler then dead-letters it', async () => {
    const queue = freshQueueName();
    const producer = new Producer({ url: redis.url, queue });
    const master = new Master({ url: redis.url, queue, sweepIntervalMs: 50 });
    let calls = 0;
    const worker = new Worker({
      url: redis.url, queue, retryBaseDelayMs: 10, retryMaxDelayMs: 20,
      handlers: { flaky: () => { calls++; throw new Error('boom'); } },
    });
    await master.start();
    await worker.start();
    await producer.enqueue('flaky', {}, { maxAttempts: 3 });
    const keys = queueKeys('dtq', queue);
    expect(await waitFor(async () => (await redis.client.llen(keys.dead)) === 1)).toBe(true);
    expect(calls).toBe(3);
    const record = JSON.parse((await redis.client.lindex(keys.dead, 0)) as string);
    expect(record.reason).toContain('failed 3 of 3 attempts; last error: boom');
    await worker.stop();
    await master.stop();
    await producer.close();
  });

  it('times out a hanging handler and frees its slot', async () => {
    const queue = freshQueueName();
    const keys = queueKeys('dtq', queue);
    const producer = new Producer({ url: redis.url, queue });
    const master = new Master({ url: redis.url, queue, sweepIntervalMs: 50 });
    const aborted: string[] = [];
    const worker = new Worker({
      url: redis.url, queue, concurrency: 1, taskTimeoutMs: 100, retryBaseDelayMs: 10, retryMaxDelayMs: 20,
      handlers: {
        hang: (_payload: unknown, ctx) => new Promise(() => ctx.signal.addEventListener('abort', () => aborted.push(String(ctx.signal.reason?.message)))),
        quick: async () => undefined,
      },
    });
    await master.start();
    await worker.start();
    await producer.enqueue('hang', null, { maxAttempts: 2 });
    await producer.enqueue('quick');

    expect(await waitFor(async () => (await redis.client.llen(keys.dead)) === 1)).toBe(true);
    expect(await waitFor(async () => (await redis.client.hget(keys.stats, 'completed')) === '1')).toBe(true);
    const record = JSON.parse((await redis.client.lindex(keys.dead, 0)) as string);
    expect(record.reason).toBe('failed 2 of 2 attempts; last error: handler timed out after 100 ms');
    expect(aborted).toEqual(['handler timed out after 100 ms', 'handler timed out after 100 ms']);
    await worker.stop();
    await master.stop();
    await producer.close();
  });
});
