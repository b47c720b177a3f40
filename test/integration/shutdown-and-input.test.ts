import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { lostCount, Producer, queueKeys, readSnapshot } from '../../engine/index.js';
import { fastTiming, readExecutions, signalProcess, startWorkerProcess, type WorkerProcess } from '../support/processes.js';
import { freshQueueName, startTestRedis, waitFor } from '../support/redis.js';

let redis: Awaited<ReturnType<typeof startTestRedis>>;
const started: WorkerProcess[] = [];
const scratch = mkdtempSync(join(tmpdir(), 'dtq-shutdown-'));

beforeAll(async () => {
  redis = await startTestRedis();
});
afterEach(() => {
  for (const worker of started.splice(0)) signalProcess(worker.pid, 'SIGKILL');
});
afterAll(async () => {
  await redis.cleanup();
});

function worker(queue: string, args: string[] = []): WorkerProcess {
  const process = startWorkerProcess({ url: redis.url, queue, name: 'W1', recordFile: join(scratch, `${queue}.log`), args: [...fastTiming, ...args] });
  started.push(process);
  return process;
}

async function enqueue(queue: string, name: string, payload: unknown): Promise<string> {
  const producer = new Producer({ url: redis.url, queue });
  const id = await producer.enqueue(name, payload);
  await producer.close();
  return id;
}

describe('graceful stop', () => {
  it('exits 0 on SIGTERM while idle in BLMOVE and deregisters', async () => {
    const queue = freshQueueName('idle');
    const keys = queueKeys('dtq', queue);
    const process = worker(queue);
    await process.ready;
    await new Promise((resolve) => setTimeout(resolve, 300));

    signalProcess(process.pid, 'SIGTERM');
    expect(await process.exited).toEqual({ code: 0, signal: null });
    expect(await redis.client.hlen(keys.workers)).toBe(0);

    // A task enqueued after the stop waits in pending: the stopped worker's block did not take it.
    await enqueue(queue, 'work', { ms: 0 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await redis.client.llen(keys.pending)).toBe(1);
  });

  it('finishes and acks a short task on SIGTERM', async () => {
    const queue = freshQueueName('busy-short');
    const keys = queueKeys('dtq', queue);
    const process = worker(queue, ['--shutdown-timeout-ms', '5000']);
    await process.ready;
    await enqueue(queue, 'work', { ms: 500 });
    expect(await waitFor(() => readExecutions(join(scratch, `${queue}.log`)).length === 1)).toBe(true);

    signalProcess(process.pid, 'SIGTERM');
    expect((await process.exited).code).toBe(0);
    expect(await redis.client.hget(keys.stats, 'completed')).toBe('1');
    expect(await redis.client.llen(keys.pending)).toBe(0);
  });

  it('requeues a task that outlives the shutdown deadline', async () => {
    const queue = freshQueueName('busy-long');
    const keys = queueKeys('dtq', queue);
    const process = worker(queue, ['--shutdown-timeout-ms', '300']);
    await process.ready;
    const taskId = await enqueue(queue, 'work', { ms: 60_000 });
    expect(await waitFor(() => readExecutions(join(scratch, `${queue}.log`)).length === 1)).toBe(true);

    signalProcess(process.pid, 'SIGTERM');
    expect((await process.exited).code).toBe(0);
    const pending = await redis.client.lrange(keys.pending, 0, -1);
    expect(pending).toHaveLength(1);
    expect(JSON.parse(pending[0] as string).id).toBe(taskId);
    expect(await redis.client.hlen(keys.workers)).toBe(0);
    expect(lostCount(await readSnapshot(redis.client, keys))).toBe(0);
  });

  it('exits within its deadline when Redis is gone', async () => {
    const local = await startTestRedis();
    try {
      const queue = freshQueueName('no-redis');
      const process = startWorkerProcess({ url: local.url, queue, name: 'W1', args: [...fastTiming, '--shutdown-timeout-ms', '500'] });
      started.push(process);
      await process.ready;
      await local.kill();

      const stopAtMs = Date.now();
      signalProcess(process.pid, 'SIGTERM');
      const exit = await process.exited;
      expect(exit, process.output()).toEqual({ code: 0, signal: null });
      expect(Date.now() - stopAtMs).toBeLessThan(5000);
    } finally {
      await local.cleanup();
    }
  });
});

describe('invalid input in pending', () => {
  it('dead-letters malformed entries with reasons and goes on', async () => {
    const queue = freshQueueName('invalid');
    const keys = queueKeys('dtq', queue);
    const oversize = JSON.stringify({ id: 'big', name: 'work', payload: 'x'.repeat(600 * 1024) });
    await redis.client.lpush(keys.pending, 'not json', '{"name":"work"}', '{"id":"no-name"}', '[1,2]', oversize, JSON.stringify({ id: 'u1', name: 'nobody-handles-this' }));
    const process = worker(queue);
    await process.ready;
    const goodId = await enqueue(queue, 'work', { ms: 0 });

    expect(await waitFor(async () => (await redis.client.hget(keys.stats, 'completed')) === '1')).toBe(true);
    expect(await waitFor(async () => (await redis.client.llen(keys.dead)) === 6)).toBe(true);
    const records = (await redis.client.lrange(keys.dead, 0, -1)).map((raw) => JSON.parse(raw) as { entry: string; reason: string });
    const reasonOf = (entryStart: string) => records.find((record) => record.entry.startsWith(entryStart))?.reason;
    expect(reasonOf('not json')).toBe('invalid envelope: envelope is not valid JSON');
    expect(reasonOf('{"name":"work"}')).toBe('invalid envelope: envelope has no string id');
    expect(reasonOf('{"id":"no-name"}')).toBe('invalid envelope: envelope has no valid task name');
    expect(reasonOf('[1,2]')).toBe('invalid envelope: envelope is not a JSON object');
    expect(reasonOf('{"id":"big"')).toMatch(/^invalid envelope: envelope is \d+ bytes, over the limit of 524288$/);
    expect(reasonOf('{"id":"u1"')).toContain('unknown task name "nobody-handles-this"');
    expect(readExecutions(join(scratch, `${queue}.log`)).map((line) => line.taskId)).toContain(goodId);
    expect(await redis.client.llen(keys.processing(`${(await redis.client.hkeys(keys.workers))[0]}`))).toBe(0);
  });
});
