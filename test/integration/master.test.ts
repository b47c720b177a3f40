import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lostCount, Master, Producer, queueKeys, readSnapshot, ScriptCode } from '../../engine/index.js';
import { runScript } from '../../engine/scripts.js';
import { fastTiming, readExecutions, signalProcess, startWorkerProcess, type WorkerProcess } from '../support/processes.js';
import { freshQueueName, startTestRedis, waitFor } from '../support/redis.js';

const scratch = mkdtempSync(join(tmpdir(), 'dtq-master-'));
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(appendOnly = false) {
  const redis = await startTestRedis({ appendOnly });
  cleanups.push(() => redis.cleanup());
  return redis;
}

function worker(url: string, queue: string, name: string): WorkerProcess {
  const process = startWorkerProcess({ url, queue, name, recordFile: join(scratch, `${queue}.log`), args: fastTiming });
  cleanups.push(() => signalProcess(process.pid, 'SIGKILL'));
  return process;
}

async function master(url: string, queue: string, leaseTtlMs = 5000): Promise<Master> {
  const instance = new Master({ url, queue, sweepIntervalMs: 100, leaseTtlMs });
  cleanups.push(() => instance.stop());
  await instance.start();
  return instance;
}

/** Starts a worker, gives it one long task, kills it, and returns the killed task's id. */
async function killWorkerHoldingTask(url: string, queue: string, name: string): Promise<string> {
  const victim = worker(url, queue, name);
  await victim.ready;
  const producer = new Producer({ url, queue });
  const taskId = await producer.enqueue('work', { ms: 60_000 });
  await producer.close();
  const recordFile = join(scratch, `${queue}.log`);
  expect(await waitFor(() => readExecutions(recordFile).some((line) => line.taskId === taskId))).toBe(true);
  signalProcess(victim.pid, 'SIGKILL');
  await victim.exited;
  return taskId;
}

describe('master', () => {
  it('keeps requeueing after a Redis restart with AOF', async () => {
    const redis = await server(true);
    const queue = freshQueueName('restart');
    const keys = queueKeys('dtq', queue);
    const sweeper = await master(redis.url, queue);
    const producer = new Producer({ url: redis.url, queue });
    await producer.enqueueBulk(Array.from({ length: 50 }, () => ({ name: 'work', payload: { ms: 0 } })));
    await producer.close();

    await redis.kill();
    await redis.restart();
    expect(await redis.client.llen(keys.pending)).toBe(50);

    const taskId = await killWorkerHoldingTask(redis.url, queue, 'W1');
    expect(await waitFor(async () => (await redis.client.lrange(keys.pending, -1, -1))[0]?.includes(taskId) ?? false, 10_000)).toBe(true);
    expect(sweeper.role).toBe('leader');
  });

  it('reloads its scripts after SCRIPT FLUSH', async () => {
    const redis = await server();
    const queue = freshQueueName('flush');
    const keys = queueKeys('dtq', queue);
    await master(redis.url, queue);
    await redis.client.script('FLUSH');

    const taskId = await killWorkerHoldingTask(redis.url, queue, 'W1');
    await redis.client.script('FLUSH');
    expect(await waitFor(async () => (await redis.client.lrange(keys.pending, 0, -1)).some((entry) => entry.includes(taskId)), 10_000)).toBe(true);
    expect(lostCount(await readSnapshot(redis.client, keys))).toBe(0);
  });

  it('lets only the lease holder act', async () => {
    const redis = await server();
    const queue = freshQueueName('two');
    const keys = queueKeys('dtq', queue);
    const first = await master(redis.url, queue, 1000);
    const second = await master(redis.url, queue, 1000);
    expect(first.role).toBe('leader');
    expect(second.role).toBe('standby');

    // A standby calling the requeue script directly is rejected inside the script.
    await redis.client.hset(keys.workers, 'ghost:1', '{}');
    await redis.client.lpush(keys.processing('ghost:1'), 'task');
    const reply = (await runScript(second.redis, 'requeueOrphans', [
      keys.processing('ghost:1'), keys.heartbeat('ghost:1'), keys.workers, keys.pending, keys.dead, keys.stats, keys.recoveries, keys.master,
    ], ['ghost:1', 100, 5, second.token, '0', Date.now(), 100])) as number[];
    expect(reply[0]).toBe(ScriptCode.notLeader);

    // The leader requeues the ghost worker's entry; the standby never does.
    expect(await waitFor(async () => (await redis.client.llen(keys.pending)) === 1)).toBe(true);
    expect(Number(await redis.client.hget(keys.stats, 'recovered'))).toBe(1);
  });

  it('hands the lease to a standby when the leader dies', async () => {
    const redis = await server();
    const queue = freshQueueName('takeover');
    const leader = new Master({ url: redis.url, queue, sweepIntervalMs: 100, leaseTtlMs: 800 });
    await leader.start();
    const standby = await master(redis.url, queue, 800);
    expect(standby.role).toBe('standby');

    // A crash: the leader stops sweeping without releasing its lease.
    leader.redis.disconnect();
    await (leader as unknown as { stop(): Promise<void> }).stop().catch(() => undefined);
    const queueKeysOfTest = queueKeys('dtq', queue);
    expect(await redis.client.get(queueKeysOfTest.master)).toBe(leader.token);
    expect(await waitFor(() => standby.role === 'leader', 5000)).toBe(true);
  });
});
