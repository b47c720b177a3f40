import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Producer, queueKeys } from '../../engine/index.js';
import { startRedisServer, type RedisServerHandle } from '../../src/redis-server.js';
import { passed, readFinalState, verify } from './check.js';
import { Lab } from './lab.js';
import type { MasterSettings, WorkerSettings } from './processes.js';
import { formatReport, isCrash, type SoakReport } from './report.js';
import { countByKind, faultKinds, planFaults, type FaultKind } from './schedule.js';
import { sleep, Workload } from './workload.js';

/** Settings of one soak; every field has a default. */
export interface SoakOptions {
  /** Steady tasks to enqueue over the fault phase. @default 40 per second of faults */
  tasks?: number;
  /** Worker processes in the pool. @default 4 */
  workers?: number;
  /** Length of the fault phase in seconds. @default 60 */
  seconds?: number;
  /** Seed of the fault schedule and the task mix. @default a random one, printed */
  seed?: string;
  /** @default 4 */
  concurrency?: number;
  /** AOF fsync policy of the soak's redis-server. @default 'always' */
  appendFsync?: 'always' | 'everysec' | 'no';
  /** @default 1000 */
  heartbeatMs?: number;
  /** @default 3000 */
  heartbeatTtlMs?: number;
  /** Worker default handler timeout, in ms. @default 2000 */
  taskTimeoutMs?: number;
  /** @default 1500 */
  shutdownTimeoutMs?: number;
  /** @default 250 */
  sweepMs?: number;
  /** Maximum wait for the queue to drain after the fault phase, in ms. @default 120000 */
  drainTimeoutMs?: number;
  /** Run folder (AOF, logs, execution log, report.json), kept after the run. @default a new temporary folder */
  dir?: string;
  /** Keep a temporary run folder even when the soak passes; a failed soak always keeps it. @default false */
  keep?: boolean;
  /** Progress lines. @default none */
  log?: (line: string) => void;
}

/**
 * Runs one soak: its own redis-server, a master, a pool of worker processes
 * and a producer, with the faults of the seeded schedule, then drains the
 * queue and checks every task. Resolves to the report; `report.passed` is
 * false on any loss, imbalance or unexplained duplicate.
 */
export async function runSoak(options: SoakOptions = {}): Promise<SoakReport> {
  const seconds = options.seconds ?? 60;
  const settings = {
    seed: options.seed ?? Math.random().toString(36).slice(2, 10),
    tasks: options.tasks ?? 40 * seconds,
    workers: options.workers ?? 4,
    concurrency: options.concurrency ?? 4,
    appendFsync: options.appendFsync ?? 'always',
    heartbeatMs: options.heartbeatMs ?? 1000,
    heartbeatTtlMs: options.heartbeatTtlMs ?? 3000,
    taskTimeoutMs: options.taskTimeoutMs ?? 2000,
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? 1500,
    sweepMs: options.sweepMs ?? 250,
    drainTimeoutMs: options.drainTimeoutMs ?? 120_000,
  };
  const log = options.log ?? (() => undefined);
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'dtq-chaos-'));
  mkdirSync(dir, { recursive: true });
  const queue = 'chaos';

  const redis = await startRedisServer({ dir: join(dir, 'redis'), appendOnly: true, appendFsync: settings.appendFsync });
  const killRedisOnExit = () => {
    try {
      process.kill(redis.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  process.on('exit', killRedisOnExit);
  const admin = new Redis(redis.url, { maxRetriesPerRequest: null, retryStrategy: () => 100, connectionName: 'chaos-harness' });
  admin.on('error', () => undefined);
  const producer = new Producer({ url: redis.url, queue, redisOptions: { maxRetriesPerRequest: null, connectionName: 'chaos-producer' } });
  producer.redis.on('error', () => undefined);

  try {
    return await soak({ settings, seconds, dir, queue, redis, admin, producer, log, keep: options.keep ?? options.dir !== undefined });
  } finally {
    await producer.close().catch(() => undefined);
    admin.disconnect();
    await redis.stop();
    process.off('exit', killRedisOnExit);
  }
}

interface SoakContext {
  settings: Required<Omit<SoakOptions, 'dir' | 'keep' | 'log' | 'seconds'>>;
  seconds: number;
  dir: string;
  queue: string;
  redis: RedisServerHandle;
  admin: Redis;
  producer: Producer;
  log: (line: string) => void;
  keep: boolean;
}

async function soak(context: SoakContext): Promise<SoakReport> {
  const { settings, seconds, dir, queue, redis, admin, producer, log } = context;
  const faultPhaseMs = seconds * 1000;
  const workerSettings: WorkerSettings = {
    redisUrl: redis.url,
    queue,
    dir,
    concurrency: settings.concurrency,
    heartbeatMs: settings.heartbeatMs,
    heartbeatTtlMs: settings.heartbeatTtlMs,
    taskTimeoutMs: settings.taskTimeoutMs,
    shutdownTimeoutMs: settings.shutdownTimeoutMs,
  };
  const masterSettings: MasterSettings = { redisUrl: redis.url, queue, dir, sweepMs: settings.sweepMs };
  const workload = new Workload(producer, settings.seed, settings.tasks, Math.floor(faultPhaseMs * 0.9), log);
  const lab = new Lab(redis, admin, workload, workerSettings, masterSettings, settings.workers, settings.seed, log);

  const faults = planFaults({ seed: settings.seed, faultPhaseMs, heartbeatTtlMs: settings.heartbeatTtlMs });
  writeFileSync(join(dir, 'schedule.json'), `${JSON.stringify(faults, null, 2)}\n`);
  log(`seed ${settings.seed}: ${faults.length} faults planned (${Object.entries(countByKind(faults)).map(([kind, count]) => `${kind} ${count}`).join(', ')}); run folder ${dir}`);

  lab.start();
  const startMs = Date.now();
  const production = workload.run(startMs);
  for (const fault of faults) {
    await sleep(startMs + fault.atMs - Date.now());
    try {
      await lab.inject(fault);
    } catch (error) {
      lab.skipped.push({ kind: fault.kind, reason: (error as Error).message });
      log(`fault ${fault.kind} failed: ${(error as Error).message}`);
    }
  }
  await sleep(startMs + faultPhaseMs - Date.now());
  await production;

  log('fault phase over: settling and draining');
  await lab.settle();
  const drainStartMs = Date.now();
  const drained = await waitForDrain(admin, queue, lab, settings.drainTimeoutMs);
  const drainSeconds = (Date.now() - drainStartMs) / 1000;
  if (!drained) log(`the queue did not drain within ${settings.drainTimeoutMs} ms`);
  await lab.stop();

  const state = await readFinalState(admin, queue);
  const verdict = verify({
    tasks: workload.tasks,
    uncertainCount: workload.uncertainIds.size,
    records: lab.executions.records,
    events: lab.events,
    state,
    exitAtMsByPid: lab.exitAtMsByPid,
    heartbeatTtlMs: settings.heartbeatTtlMs,
  });
  const runSeconds = (Date.now() - startMs) / 1000;
  const faultsInjected = Object.fromEntries(faultKinds.map((kind) => [kind, lab.events.filter((event) => event.kind === kind).length])) as Record<FaultKind, number>;
  const report: SoakReport = {
    seed: settings.seed,
    settings: {
      tasks: settings.tasks,
      workers: settings.workers,
      concurrency: settings.concurrency,
      faultSeconds: seconds,
      appendFsync: settings.appendFsync,
      heartbeatTtlMs: settings.heartbeatTtlMs,
      taskTimeoutMs: settings.taskTimeoutMs,
    },
    faultsInjected,
    faultsSkipped: lab.skipped.length,
    unexpectedExits: lab.unexpectedExits,
    runSeconds,
    drainSeconds,
    throughputPerSecond: verdict.ackedCount / runSeconds,
    verdict,
    passed: passed(verdict) && !lab.unexpectedExits.some(isCrash),
    dir,
  };
  writeFileSync(join(dir, 'report.json'), `${JSON.stringify({ ...report, events: lab.events, skipped: lab.skipped }, null, 2)}\n`);
  writeFileSync(join(dir, 'report.txt'), formatReport(report));
  if (report.passed && !context.keep) scheduleRemoval(dir);
  return report;
}

/** Waits until nothing is pending, delayed, processing or running; returns false on timeout. */
async function waitForDrain(admin: Redis, queue: string, lab: Lab, timeoutMs: number): Promise<boolean> {
  const keys = queueKeys('dtq', queue);
  const deadlineMs = Date.now() + timeoutMs;
  while (Date.now() < deadlineMs) {
    lab.pollExecutions();
    const [pendingCount, delayedCount] = await Promise.all([admin.llen(keys.pending), admin.zcard(keys.delayed)]);
    const state = pendingCount + delayedCount === 0 ? await readFinalState(admin, queue) : undefined;
    const processingCount = state ? [...state.processing.values()].reduce((sum, list) => sum + list.length, 0) : 1;
    if (pendingCount + delayedCount + processingCount === 0 && lab.open.total() === 0) return true;
    await sleep(500);
  }
  return false;
}

/** Deletes the run folder once the caller has had the report; the AOF of a long soak can be large. */
function scheduleRemoval(dir: string): void {
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
}
