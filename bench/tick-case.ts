import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { queueKeys, readSnapshot, Worker } from '../engine/index.js';
import { freshQueue, type BenchContext } from './context.js';
import { openProducer } from './producers.js';
import { readCommandStats, resetCommandStats, totalCommands } from './redis-info.js';
import { percentile, summarize, type Summary } from './stats.js';

/** Cost of the console's tick (one readSnapshot call) at one queue length. */
export interface TickSample {
  pendingCount: number;
  workerCount: number;
  /** Batches of `ticksPerBatch` ticks; the per-tick figures below are summaries over batches. */
  batchCount: number;
  ticksPerBatch: number;
  /** Commands Redis executed per tick, counting those inside the script. */
  commandsPerTick: Summary;
  /** Redis time per tick: the EVALSHA's own usec from commandstats, which includes the commands it ran. */
  redisUsPerTick: Summary;
  /** Round trip seen by the console, including reply parsing, in ms. */
  clientP50Ms: number;
  clientP99Ms: number;
}

const workerCount = 20;
const tasksPerWorker = 5;
const smallPendingCount = 10;
const largePendingCount = 1_000_000;
const ticksPerBatch = 100;
const enqueueChunk = 100_000;

/**
 * Measures a tick with 10 and with 1,000,000 pending tasks and 20 registered
 * workers, each holding 5 tasks in its processing list. The workers run in
 * this process with a heartbeat interval far beyond the measurement, so only
 * the ticks reach Redis while commands are counted.
 */
export async function runTickCase(context: BenchContext): Promise<TickSample[]> {
  const queue = freshQueue('tick');
  const producer = await openProducer('dtq', context.redisUrl, queue);
  await producer.enqueue(workerCount * tasksPerWorker + smallPendingCount, 'hold');

  const workers = Array.from(
    { length: workerCount },
    (_, index) =>
      new Worker({
        url: context.redisUrl,
        queue,
        name: `tick-${index + 1}`,
        concurrency: tasksPerWorker,
        heartbeatIntervalMs: 600_000,
        heartbeatTtlMs: 1_200_000,
        handlers: { hold: (_payload, task) => new Promise<void>((resolve) => task.signal.addEventListener('abort', () => resolve())) },
      }),
  );
  const consoleRedis = new Redis(context.redisUrl);
  try {
    for (const worker of workers) await worker.start();
    while (workers.some((worker) => worker.runningCount < tasksPerWorker)) await delay(20);

    const samples = [await measureTicks(context, consoleRedis, queue)];
    for (let enqueued = smallPendingCount; enqueued < largePendingCount; enqueued += enqueueChunk) {
      await producer.enqueue(Math.min(enqueueChunk, largePendingCount - enqueued), 'hold');
    }
    samples.push(await measureTicks(context, consoleRedis, queue));
    for (const sample of samples) {
      context.log(`tick with ${sample.pendingCount} pending: ${sample.commandsPerTick.median} commands, ${sample.redisUsPerTick.median.toFixed(0)} µs Redis`);
    }
    return samples;
  } finally {
    await Promise.all(workers.map((worker) => worker.stop(0)));
    await producer.close();
    consoleRedis.disconnect();
    await context.admin.flushall();
  }
}

async function measureTicks(context: BenchContext, redis: Redis, queue: string): Promise<TickSample> {
  const keys = queueKeys('dtq', queue);
  // The first call may load the script; it is not measured.
  const first = await readSnapshot(redis, keys);

  const clientMs: number[] = [];
  const commandsPerTick: number[] = [];
  const redisUsPerTick: number[] = [];
  for (let batch = 0; batch < context.runs; batch++) {
    await resetCommandStats(context.admin);
    for (let i = 0; i < ticksPerBatch; i++) {
      const startMs = performance.now();
      await readSnapshot(redis, keys);
      clientMs.push(performance.now() - startMs);
    }
    const stats = await readCommandStats(context.admin);
    const evalsha = stats.get('evalsha');
    commandsPerTick.push(totalCommands(stats).executed / ticksPerBatch);
    redisUsPerTick.push(evalsha ? evalsha.usec / evalsha.calls : Number.NaN);
  }
  clientMs.sort((a, b) => a - b);

  return {
    pendingCount: first.pendingCount,
    workerCount: first.workerCount,
    batchCount: context.runs,
    ticksPerBatch,
    commandsPerTick: summarize(commandsPerTick),
    redisUsPerTick: summarize(redisUsPerTick),
    clientP50Ms: percentile(clientMs, 50),
    clientP99Ms: percentile(clientMs, 99),
  };
}
