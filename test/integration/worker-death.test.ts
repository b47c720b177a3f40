import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { lostCount, Master, Producer, queueKeys, readSnapshot } from '../../engine/index.js';
import { fastTiming, readExecutions, signalProcess, startWorkerProcess, type WorkerProcess } from '../support/processes.js';
import { freshQueueName, startTestRedis, waitFor } from '../support/redis.js';

let redis: Awaited<ReturnType<typeof startTestRedis>>;
const started: WorkerProcess[] = [];
const masters: Master[] = [];
const scratch = mkdtempSync(join(tmpdir(), 'dtq-death-'));

beforeAll(async () => {
  redis = await startTestRedis();
});
afterEach(async () => {
  for (const worker of started.splice(0)) signalProcess(worker.pid, 'SIGKILL');
  for (const master of masters.splice(0)) await master.stop();
});
afterAll(async () => {
  await redis.cleanup();
});

function worker(queue: string, name: string, recordFile: string, args: string[] = []): WorkerProcess {
  const process = startWorkerProcess({ url: redis.url, queue, name, recordFile, args: [...fastTiming, ...args] });
  started.push(process);
  return process;
}

async function startMaster(queue: string, sweepIntervalMs = 100): Promise<Master> {
  const master = new Master({ url: redis.url, queue, sweepIntervalMs });
  masters.push(master);
  await master.start();
  return master;
}

describe('worker death', () => {
  it('conserves every task under repeated SIGKILLs', async () => {
    const queue = freshQueueName('kills');
    const recordFile = join(scratch, `${queue}.log`);
    const keys = queueKeys('dtq', queue);
    await startMaster(queue);
    const pool = [1, 2, 3].map((n) => worker(queue, `W${n}`, recordFile, ['--concurrency', '4']));
    await Promise.all(pool.map((process) => process.ready));

    const producer = new Producer({ url: redis.url, queue });
    const ids = await producer.enqueueBulk(Array.from({ length: 300 }, () => ({ name: 'work', payload: { ms: 80 } })));
    await producer.close();

    for (let kill = 0; kill < 6; kill++) {
      await new Promise((resolve) => setTimeout(resolve, 400));
      const index = kill % pool.length;
      const victim = pool[index] as WorkerProcess;
      signalProcess(victim.pid, 'SIGKILL');
      await victim.exited;
      pool[index] = worker(queue, `W${index + 1}`, recordFile, ['--concurrency', '4']);
      const snapshot = await readSnapshot(redis.client, keys);
      expect(lostCount(snapshot)).toBe(0);
    }

    expect(await waitFor(async () => Number(await redis.client.hget(keys.stats, 'completed')) === 300, 30_000)).toBe(true);
    const snapshot = await readSnapshot(redis.client, keys);
    expect(snapshot.pendingCount).toBe(0);
    expect(snapshot.processingCount).toBe(0);
    expect(snapshot.delayedCount).toBe(0);
    expect(snapshot.deadCount).toBe(0);
    expect(lostCount(snapshot)).toBe(0);
    const finished = new Set(readExecutions(recordFile).filter((line) => line.phase === 'end').map((line) => line.taskId));
    expect(ids.filter((id) => !finished.has(id))).toEqual([]);
  });

  it('requeues a killed worker task once its heartbeat expires', async () => {
    const queue = freshQueueName('latency');
    const keys = queueKeys('dtq', queue);
    const recordFile = join(scratch, `${queue}.log`);
    await startMaster(queue, 500);
    // Default timing: heartbeat 1000 ms, TTL 3000 ms, sweep 500 ms.
    const victim = startWorkerProcess({ url: redis.url, queue, name: 'W1', recordFile });
    started.push(victim);
    await victim.ready;
    const [workerKey] = await redis.client.hkeys(keys.workers);
    const producer = new Producer({ url: redis.url, queue });
    await producer.enqueue('work', { ms: 60_000 });
    await producer.close();
    expect(await waitFor(() => readExecutions(recordFile).length === 1)).toBe(true);

    signalProcess(victim.pid, 'SIGKILL');
    await victim.exited;
    // While the last heartbeat lives, the master must leave the dead worker's task alone.
    expect(await redis.client.exists(keys.heartbeat(workerKey as string))).toBe(1);
    expect(await redis.client.llen(keys.processing(workerKey as string))).toBe(1);
    expect(await redis.client.llen(keys.pending)).toBe(0);

    // Once it expires, the next sweep requeues the task and deregisters the worker.
    expect(await waitFor(async () => (await redis.client.llen(keys.pending)) === 1, 10_000)).toBe(true);
    expect(await redis.client.exists(keys.heartbeat(workerKey as string))).toBe(0);
    expect(await redis.client.hexists(keys.workers, workerKey as string)).toBe(0);
  });

  it('gives a restarted worker of the same name its own processing list', async () => {
    const queue = freshQueueName('restart');
    const keys = queueKeys('dtq', queue);
    const recordFile = join(scratch, `${queue}.log`);
    const first = worker(queue, 'W1', recordFile);
    await first.ready;
    const producer = new Producer({ url: redis.url, queue });
    const [taskId] = await producer.enqueueBulk([{ name: 'work', payload: { ms: 60_000 } }]);
    expect(await waitFor(() => readExecutions(recordFile).length === 1)).toBe(true);
    const [firstKey] = await redis.client.hkeys(keys.workers);
    signalProcess(first.pid, 'SIGKILL');
    await first.exited;

    const second = worker(queue, 'W1', recordFile);
    await second.ready;
    const workerKeys = await redis.client.hkeys(keys.workers);
    expect(workerKeys).toHaveLength(2);
    const secondKey = workerKeys.find((key) => key !== firstKey) as string;
    expect(secondKey.startsWith('W1:')).toBe(true);
    expect(await redis.client.llen(keys.processing(firstKey as string))).toBe(1);
    expect(await redis.client.llen(keys.processing(secondKey))).toBe(0);

    // With no master running nothing requeues the dead incarnation's task: it stays parked, not adopted.
    await producer.enqueue('work', { ms: 0 });
    expect(await waitFor(() => readExecutions(recordFile).filter((line) => line.phase === 'end').length === 1)).toBe(true);
    expect(await redis.client.lrange(keys.processing(firstKey as string), 0, -1)).toHaveLength(1);
    expect(readExecutions(recordFile).filter((line) => line.taskId === taskId)).toHaveLength(1);
    await producer.close();
  });

  it('never lets a frozen worker ack over the second delivery', async () => {
    const queue = freshQueueName('frozen');
    const keys = queueKeys('dtq', queue);
    const recordFile = join(scratch, `${queue}.log`);
    await startMaster(queue);
    const zombie = worker(queue, 'Z', recordFile, ['--audit']);
    await zombie.ready;
    const producer = new Producer({ url: redis.url, queue });
    const [taskId] = await producer.enqueueBulk([{ name: 'work', payload: { ms: 1500 } }]);
    await producer.close();
    expect(await waitFor(() => readExecutions(recordFile).length === 1)).toBe(true);

    signalProcess(zombie.pid, 'SIGSTOP');
    expect(await waitFor(async () => (await redis.client.llen(keys.pending)) === 1, 5000)).toBe(true);
    const rescuer = worker(queue, 'R', recordFile, ['--audit']);
    await rescuer.ready;
    expect(await waitFor(async () => Number(await redis.client.hget(keys.stats, 'completed')) === 1, 10_000)).toBe(true);

    signalProcess(zombie.pid, 'SIGCONT');
    // The zombie's handler finishes 1500 ms after it started; give it time to try its ack and fence itself.
    expect(await waitFor(() => zombie.output().includes('"event":"fenced"'), 10_000)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 2000));

    expect(await redis.client.hget(keys.stats, 'completed')).toBe('1');
    expect(await redis.client.hget(keys.audit, taskId as string)).toBe('1');
    const starts = readExecutions(recordFile).filter((line) => line.phase === 'start' && line.taskId === taskId);
    expect(starts).toHaveLength(2);
    const snapshot = await readSnapshot(redis.client, keys);
    expect(lostCount(snapshot)).toBe(0);
    expect(snapshot.pendingCount + snapshot.processingCount).toBe(0);
  });

  it('dead-letters a poison task after maxAttempts', async () => {
    const queue = freshQueueName('poison');
    const keys = queueKeys('dtq', queue);
    const recordFile = join(scratch, `${queue}.log`);
    await startMaster(queue);
    const producer = new Producer({ url: redis.url, queue });
    const [taskId] = await producer.enqueueBulk([{ name: 'crash', options: { maxAttempts: 3 } }]);
    await producer.close();

    // Each crash kills the worker; a new one replaces it, as a supervisor would.
    for (let round = 0; round < 6 && (await redis.client.llen(keys.dead)) === 0; round++) {
      const process = worker(queue, 'P', recordFile);
      await Promise.race([process.exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
      await waitFor(async () => (await redis.client.hlen(keys.workers)) === 0, 3000);
    }

    expect(await redis.client.llen(keys.dead)).toBe(1);
    const record = JSON.parse((await redis.client.lindex(keys.dead, 0)) as string) as { reason: string; taskId: string };
    expect(record.taskId).toBe(taskId);
    expect(record.reason).toContain('poison task');
    expect(readExecutions(recordFile).filter((line) => line.taskId === taskId)).toHaveLength(3);
    expect(await redis.client.llen(keys.pending)).toBe(0);
  });
});
