/**
 * A fixture for the fault tests: a private redis-server, a fresh queue, an
 * execution log, and real worker and master processes of the built CLI,
 * each stopped by pid on cleanup.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Producer, queueKeys, type EnqueueOptions, type QueueKeys } from '../../engine/index.js';
import type { RedisServerOptions } from '../../src/redis-server.js';
import { freshQueueName, startTestRedis, waitFor } from '../support/redis.js';
import { ExecutionLog, type ExecutionRecord } from './executions.js';
import { CliProcess, startMaster, startWorker, type MasterSettings, type WorkerSettings } from './processes.js';

export type TestRedis = Awaited<ReturnType<typeof startTestRedis>>;

/** Starts a private redis-server for one test file. */
export function startFaultRedis(options: Partial<RedisServerOptions> = {}): Promise<TestRedis> {
  return startTestRedis(options);
}

/** One test's queue on a shared server, with its own folder, execution log and processes. */
export class QueueFixture {
  readonly queue = freshQueueName('fault');
  readonly keys: QueueKeys;
  readonly dir = mkdtempSync(join(tmpdir(), 'dtq-fault-'));
  readonly log = new ExecutionLog(join(this.dir, 'executions.ndjson'));
  readonly producer: Producer;
  private readonly processes: CliProcess[] = [];

  constructor(readonly redis: TestRedis) {
    this.keys = queueKeys('dtq', this.queue);
    this.producer = new Producer({ url: redis.url, queue: this.queue });
  }

  /** Starts a worker process with the chaos handlers; `settings` override the fixture's fast timing. */
  worker(name: string, settings: Partial<WorkerSettings> = {}): CliProcess {
    const process = startWorker(name, {
      redisUrl: this.redis.url,
      queue: this.queue,
      dir: this.dir,
      heartbeatMs: 300,
      heartbeatTtlMs: 1000,
      shutdownTimeoutMs: 3000,
      ...settings,
    }, `-${this.processes.length}`);
    this.processes.push(process);
    return process;
  }

  /** Starts a headless master process sweeping every 100 ms. */
  master(settings: Partial<MasterSettings> = {}, label = 'master'): CliProcess {
    const process = startMaster({ redisUrl: this.redis.url, queue: this.queue, dir: this.dir, sweepMs: 100, ...settings }, `${label}-${this.processes.length}`);
    this.processes.push(process);
    return process;
  }

  enqueue(name: string, payload: unknown, options: EnqueueOptions = {}): Promise<string> {
    return this.producer.enqueue(name, payload, options);
  }

  /** Returns every execution record so far. */
  records(): ExecutionRecord[] {
    this.log.poll();
    return this.log.records;
  }

  /** Records of one task and event, oldest first. */
  recordsOf(taskId: string, event: ExecutionRecord['event']): ExecutionRecord[] {
    return this.records().filter((record) => record.taskId === taskId && record.event === event);
  }

  /** Waits until `count` records of the task and event exist; returns them, or fewer on timeout. */
  async waitForRecords(taskId: string, event: ExecutionRecord['event'], count = 1, timeoutMs = 10_000): Promise<ExecutionRecord[]> {
    await waitFor(() => this.recordsOf(taskId, event).length >= count, timeoutMs);
    return this.recordsOf(taskId, event);
  }

  /** Waits until a worker named `name` is registered and returns its workerKey, or undefined on timeout. */
  async waitForRegistered(name: string, timeoutMs = 10_000, except?: string): Promise<string | undefined> {
    let found: string | undefined;
    await waitFor(async () => {
      const workerKeys = await this.redis.client.hkeys(this.keys.workers);
      found = workerKeys.find((workerKey) => workerKey.startsWith(`${name}:`) && workerKey !== except);
      return found !== undefined;
    }, timeoutMs);
    return found;
  }

  /** Returns the number of acks the workers' audit counted for a task. */
  async auditCount(taskId: string): Promise<number> {
    return Number((await this.redis.client.hget(this.keys.audit, taskId)) ?? 0);
  }

  async stat(name: string): Promise<number> {
    return Number((await this.redis.client.hget(this.keys.stats, name)) ?? 0);
  }

  /** Total length of every processing list of the queue, found with SCAN. */
  async processingCount(): Promise<number> {
    let total = 0;
    let cursor = '0';
    do {
      const [next, found] = await this.redis.client.scan(cursor, 'MATCH', this.keys.processing('*'), 'COUNT', 1000);
      cursor = next;
      for (const key of found) total += await this.redis.client.llen(key);
    } while (cursor !== '0');
    return total;
  }

  /** Ids of CLIENT LIST entries whose name is `name`, with the command each runs. */
  async clients(name: string): Promise<Array<{ id: string; cmd: string; flags: string }>> {
    const text = (await this.redis.client.client('LIST')) as string;
    return text.split('\n').filter((line) => line.includes(` name=${name} `)).map((line) => ({
      id: /\bid=(\d+)/.exec(line)?.[1] ?? '',
      cmd: /\bcmd=(\S+)/.exec(line)?.[1] ?? '',
      flags: /\bflags=(\S+)/.exec(line)?.[1] ?? '',
    }));
  }

  /**
   * Kills every process this fixture started with SIGKILL, because cleanup
   * need not be graceful, and removes the folder unless DTQ_KEEP_FAULT_DIRS
   * is set, which keeps the process logs for a failing test.
   */
  async cleanup(): Promise<void> {
    for (const process of this.processes) process.signal('SIGCONT');
    for (const process of this.processes) process.signal('SIGKILL');
    await Promise.all(this.processes.map((process) => process.exited));
    await this.producer.close().catch(() => undefined);
    if (process.env.DTQ_KEEP_FAULT_DIRS) return;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
