/**
 * The kill-a-worker proof: a private Redis, a master, three worker
 * processes and 500 tasks; one worker holding a task is SIGKILLed five
 * times (and replaced). Every task must complete: the demo prints the
 * counts and the recovery latency, and exits 1 on any loss.
 *
 * Run: npm run demo:kill
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Master, Producer, queueKeys, readSnapshot, type QueueSnapshot } from '../engine/index.js';
import { cliPath } from '../src/headless.js';
import { startRedisServer } from '../src/redis-server.js';
import { Supervisor } from '../src/supervisor.js';

const taskCount = 500;
const killCount = 5;
const workerCount = 3;
const taskMs = 60;

async function main(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'dtq-demo-'));
  const redis = await startRedisServer({ dir: join(dir, 'redis'), appendOnly: true });
  const queue = 'demo';
  const keys = queueKeys('dtq', queue);
  const master = new Master({ url: redis.url, queue });
  const supervisor = new Supervisor({
    cliPath,
    workerArgs: ['--queue', queue, '--concurrency', '2', '--audit', '--log-level', 'warn'],
    env: { ...process.env, REDIS_URL: redis.url },
    logDir: join(dir, 'logs'),
  });
  const requeuedAtMs = new Map<string, number>();
  master.on('requeued', ({ workerKey }) => requeuedAtMs.set(workerKey, Date.now()));

  try {
    await master.start();
    for (let i = 0; i < workerCount; i++) supervisor.spawn();
    const producer = new Producer({ url: redis.url, queue });
    await producer.enqueueBulk(Array.from({ length: taskCount }, () => ({ name: 'sleep', payload: { ms: taskMs } })));
    await producer.close();
    console.log(`enqueued ${taskCount} tasks on ${redis.url}; ${workerCount} workers; killing a busy worker ${killCount} times`);

    const kills = await killBusyWorkers(supervisor, master, keys);
    const finished = await waitForCompletion(master, keys, 120_000);
    const latencies = kills.map((kill) => (requeuedAtMs.get(kill.workerKey) ?? Number.NaN) - kill.killedAtMs);
    return report(finished, kills.length, latencies, await master.redis.hvals(keys.audit));
  } finally {
    await supervisor.stopAll(5000);
    await master.stop();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Kills, one at a time, a worker that has at least one task in its processing list, spawns a replacement, and waits for the requeue. */
async function killBusyWorkers(supervisor: Supervisor, master: Master, keys: ReturnType<typeof queueKeys>): Promise<Array<{ workerKey: string; killedAtMs: number }>> {
  const kills: Array<{ workerKey: string; killedAtMs: number }> = [];
  while (kills.length < killCount) {
    await delay(400);
    const snapshot = await readSnapshot(master.redis, keys, { pendingHeadCount: 0, eventCount: 0 });
    const live = supervisor.list().filter((worker) => worker.state === 'running');
    const victim = snapshot.workers.find((worker) => worker.processingCount > 0 && live.some((child) => child.pid === worker.pid));
    if (!victim) {
      if (snapshot.pendingCount === 0) break;
      continue;
    }
    const child = live.find((worker) => worker.pid === victim.pid);
    if (!child) continue;

    supervisor.kill(child.name);
    kills.push({ workerKey: victim.workerKey, killedAtMs: Date.now() });
    console.log(`  SIGKILL ${victim.workerKey} (pid ${victim.pid}) holding ${victim.processingCount} task(s)`);
    await delay(200);
    supervisor.spawn(child.name);
  }
  return kills;
}

async function waitForCompletion(master: Master, keys: ReturnType<typeof queueKeys>, timeoutMs: number): Promise<QueueSnapshot> {
  const deadlineMs = Date.now() + timeoutMs;
  for (;;) {
    const snapshot = await readSnapshot(master.redis, keys, { pendingHeadCount: 0, eventCount: 0 });
    const settled = snapshot.pendingCount + snapshot.processingCount + snapshot.delayedCount === 0;
    if (settled || Date.now() > deadlineMs) return snapshot;
    await delay(200);
  }
}

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

function report(snapshot: QueueSnapshot, killCountDone: number, latenciesMs: number[], auditCounts: string[]): number {
  const completedIds = auditCounts.length;
  const duplicated = auditCounts.reduce((sum, count) => sum + Number(count) - 1, 0) + (snapshot.stats.leaseLost ?? 0);
  const dead = snapshot.stats.dead ?? 0;
  const inSystem = snapshot.pendingCount + snapshot.processingCount + snapshot.delayedCount;
  const lost = taskCount - completedIds - dead - inSystem;
  const valid = latenciesMs.filter((value) => Number.isFinite(value));

  console.log('');
  console.log(`tasks enqueued     ${taskCount}`);
  console.log(`tasks completed    ${completedIds}`);
  console.log(`duplicated         ${duplicated}`);
  console.log(`dead-lettered      ${dead}`);
  console.log(`still in system    ${inSystem}`);
  console.log(`lost               ${lost}`);
  console.log(`workers killed     ${killCountDone}`);
  console.log(`recovery latency   p50 ${percentile(valid, 0.5)} ms, max ${Math.max(...valid)} ms (SIGKILL to requeue; TTL 3000 ms + sweep 500 ms)`);
  if (lost !== 0 || inSystem !== 0) {
    console.log('FAIL: tasks were lost or never finished');
    return 1;
  }
  if (valid.length < killCountDone) console.log(`note: ${killCountDone - valid.length} kill(s) had no requeue event`);
  console.log('OK: no task lost');
  return 0;
}

process.exitCode = await main().catch((error: unknown) => {
  console.error(`demo failed: ${(error as Error).stack ?? String(error)}`);
  return 1;
});
