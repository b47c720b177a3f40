import { setTimeout as delay } from 'node:timers/promises';
import { Worker as BullWorker } from 'bullmq';
import { Master } from '../engine/index.js';
import { freshQueue, type BenchContext } from './context.js';
import { openProducer } from './producers.js';
import type { SystemName } from './protocol.js';
import { startWorkerProcesses, type WorkerProcess } from './worker-pool.js';

/** Times from SIGKILL of a worker process to its task being back in the queue, in ms. */
export interface RecoverySample {
  system: SystemName;
  latenciesMs: number[];
  /** Kills whose task was not requeued before the wait ended. */
  missingCount: number;
}

/** Worker processes killed per round, each running one claimed task. */
const killsPerRound = 6;
const dtqRounds = 3;
/** dtq-console's default heartbeat interval: kills are spread over it, so they land at every heartbeat phase. */
const dtqKillSpreadMs = 1000;
const dtqWaitMs = 15_000;
/**
 * BullMQ renews a job's lock every 15 s (half its 30 s default lockDuration),
 * so kills spread over 15 s land at every renewal phase. Its stalled-job check
 * runs every 30 s by default, so a round waits up to 75 s.
 */
const bullKillSpreadMs = 15_000;
const bullWaitMs = 75_000;

/** Measures dtq-console's recovery with default timing, and BullMQ's unless `includeBull` is false. */
export async function runRecoveryCase(context: BenchContext, includeBull: boolean): Promise<RecoverySample[]> {
  const dtq: RecoverySample = { system: 'dtq', latenciesMs: [], missingCount: 0 };
  for (let round = 0; round < dtqRounds; round++) {
    const result = await measureDtqRound(context);
    dtq.latenciesMs.push(...result.latenciesMs);
    dtq.missingCount += result.missingCount;
    context.log(`recovery dtq round ${round + 1}: ${result.latenciesMs.map((ms) => Math.round(ms)).join(', ')} ms`);
  }
  if (!includeBull) return [dtq];

  const bull = await measureBullRound(context);
  context.log(`recovery bullmq: ${bull.latenciesMs.map((ms) => Math.round(ms)).join(', ')} ms`);
  return [dtq, bull];
}

/** Starts `killsPerRound` worker processes that each hold one task, and waits until every one has claimed. */
async function startHoldingWorkers(context: BenchContext, system: SystemName, queue: string): Promise<{ workers: WorkerProcess[]; taskIds: string[] }> {
  const producer = await openProducer(system, context.redisUrl, queue);
  await producer.enqueue(killsPerRound, 'hold');
  await producer.close();

  const workers = await startWorkerProcesses(killsPerRound, { system, redisUrl: context.redisUrl, queue, concurrency: 1, handler: 'hold' });
  const claims = workers.map((worker) => worker.waitFor('claimed'));
  for (const worker of workers) worker.send({ type: 'start' });
  const taskIds = (await Promise.all(claims)).map((claim) => claim.taskId);
  return { workers, taskIds };
}

/** Kills each worker at an even step across `spreadMs` and returns the kill times by position. */
async function killSpread(workers: readonly WorkerProcess[], spreadMs: number): Promise<number[]> {
  const killedAtMs: number[] = [];
  for (const [index, worker] of workers.entries()) {
    await delay(index === 0 ? 0 : spreadMs / workers.length);
    killedAtMs[index] = Date.now();
    await worker.kill();
  }
  return killedAtMs;
}

async function measureDtqRound(context: BenchContext): Promise<{ latenciesMs: number[]; missingCount: number }> {
  const queue = freshQueue('recovery-dtq');
  const master = new Master({ url: context.redisUrl, queue });
  const requeuedAtMs = new Map<string, number>();
  master.on('requeued', ({ workerKey }) => requeuedAtMs.set(workerKey, Date.now()));
  await master.start();

  const { workers } = await startHoldingWorkers(context, 'dtq', queue);
  try {
    const killedAtMs = await killSpread(workers, dtqKillSpreadMs);
    const deadlineMs = Date.now() + dtqWaitMs;
    while (requeuedAtMs.size < workers.length && Date.now() < deadlineMs) await delay(20);

    const latenciesMs: number[] = [];
    for (const [index, worker] of workers.entries()) {
      const requeuedMs = worker.workerKey ? requeuedAtMs.get(worker.workerKey) : undefined;
      if (requeuedMs !== undefined) latenciesMs.push(requeuedMs - (killedAtMs[index] as number));
    }
    return { latenciesMs, missingCount: workers.length - latenciesMs.length };
  } finally {
    await Promise.all(workers.map((worker) => worker.kill()));
    await master.stop();
    await context.admin.flushall();
  }
}

/**
 * Kills BullMQ worker processes mid-task while one more worker, in this
 * process, keeps running: BullMQ moves a stalled job back to wait only from a
 * live worker's stalled-job check, and reports it there as 'stalled'.
 */
async function measureBullRound(context: BenchContext): Promise<RecoverySample> {
  const queue = freshQueue('recovery-bullmq');
  const { workers, taskIds } = await startHoldingWorkers(context, 'bullmq', queue);
  const url = new URL(context.redisUrl);
  const stalledAtMs = new Map<string, number>();
  const survivor = new BullWorker(queue, async () => undefined, {
    connection: { host: url.hostname, port: Number(url.port), maxRetriesPerRequest: null },
    removeOnComplete: { count: 0 },
  });
  survivor.on('stalled', (jobId) => stalledAtMs.set(jobId, Date.now()));
  survivor.on('error', (error) => context.log(`bullmq survivor worker: ${error.message}`));

  try {
    const killedAtMs = await killSpread(workers, bullKillSpreadMs);
    const deadlineMs = Date.now() + bullWaitMs;
    while (stalledAtMs.size < workers.length && Date.now() < deadlineMs) await delay(50);

    const latenciesMs: number[] = [];
    for (const [index, taskId] of taskIds.entries()) {
      const stalledMs = stalledAtMs.get(taskId);
      if (stalledMs !== undefined) latenciesMs.push(stalledMs - (killedAtMs[index] as number));
    }
    return { system: 'bullmq', latenciesMs, missingCount: workers.length - latenciesMs.length };
  } finally {
    await Promise.all(workers.map((worker) => worker.kill()));
    await survivor.close(true);
    await context.admin.flushall();
  }
}
