import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import * as defaults from './defaults.js';
import { decodeEnvelope, type TaskEnvelope } from './envelope.js';
import { ConfigError, ScriptCode } from './errors.js';
import { appendEvent, TypedEmitter, watchConnection, type EngineEventName, type EngineEvents } from './events.js';
import type { QueueKeys } from './keys.js';
import {
  closeConnection,
  integerOption,
  openConnection,
  resolveKeys,
  type OwnedConnection,
  type QueueOptions,
} from './options.js';
import { createRedis, reconnectAfterTimeout } from './redis.js';
import { requeueWorkerList } from './requeue.js';
import { runScript } from './scripts.js';
import { retryDelayMs, sleep, waitUpTo, withDeadline } from './timing.js';

/** Context a handler receives besides the payload. */
export interface TaskContext {
  taskId: string;
  name: string;
  /** 1 for the first execution. */
  attempt: number;
  maxAttempts: number;
  /** Aborts when the task times out, when the worker stops past its deadline, or when the worker is fenced. */
  signal: AbortSignal;
  workerKey: string;
  /** Emits a `taskLog` event on the worker; the CLI writes it to the worker's log. */
  log: (message: string, fields?: Record<string, unknown>) => void;
}

/** A task handler: resolves to finish the task, throws to fail it. */
export type TaskHandler = (payload: any, context: TaskContext) => unknown;

export interface WorkerOptions extends QueueOptions {
  /** Task name → handler. */
  handlers: Record<string, TaskHandler>;
  /** Readable name, stable across restarts. @default `${hostname}-${pid}` */
  name?: string;
  /** Tasks run at once. @default 1 */
  concurrency?: number;
  /** @default 1000 */
  heartbeatIntervalMs?: number;
  /** Must exceed heartbeatIntervalMs; see defaults.heartbeatTtlMs. @default 3000 */
  heartbeatTtlMs?: number;
  /** Server-side block of one BLMOVE. @default 1000 */
  claimBlockMs?: number;
  /** Attempts for envelopes that carry no maxAttempts. @default 5 */
  maxAttempts?: number;
  /** Handler timeout for tasks that set none; 0 disables it. @default 0 */
  taskTimeoutMs?: number;
  /** Time stop() waits for running tasks before it requeues them. @default 10000 */
  shutdownTimeoutMs?: number;
  /** @default 524288 */
  maxEnvelopeBytes?: number;
  /** Count completions per task id in the audit hash. @default false */
  audit?: boolean;
  /** Lifetime of the audit hash after its last write. @default 86400000 (24 h) */
  auditRetentionMs?: number;
  /** @default 1000 */
  retryBaseDelayMs?: number;
  /** @default 300000 */
  retryMaxDelayMs?: number;
  /** @default 100000 */
  deadMaxLength?: number;
  /** @default 1000 */
  eventsMaxLength?: number;
}

interface RunningTask {
  raw: string;
  envelope: TaskEnvelope;
  workerKey: string;
  /** Created on the first read of `context.signal`: most handlers never read it, and one controller per task costs CPU and GC. */
  controller: AbortController | undefined;
  /** Reason the task was aborted, kept for a signal created afterwards. */
  abortReason: Error | undefined;
  /** Settles the pending invokeHandler() call early, on timeout or when the task is abandoned. */
  settle: ((outcome: Outcome) => void) | undefined;
  startedAtMs: number;
  /** Set when the worker gave the task up (fenced, or stopped past its deadline): its result must not be acked. */
  abandoned: boolean;
  /** Set once the handler settled (or was left behind): the task no longer occupies a concurrency slot, though its ack may still be under way. */
  slotReleased: boolean;
}

type Outcome = { ok: true } | { ok: false; error: string };

const pausePollMs = 500;

/** Valid worker names: the name is part of key names, so no ':' or braces. */
export const workerNamePattern = /^[A-Za-z0-9_.\-]{1,64}$/;
const fenceRetryMs = 500;

/**
 * Claims tasks from one queue and runs them. Each start() is a new
 * incarnation with its own processing list, registered and heartbeating
 * before its first claim.
 */
export class Worker extends TypedEmitter {
  readonly keys: QueueKeys;
  readonly name: string;
  readonly concurrency: number;
  private readonly options: Required<Omit<WorkerOptions, keyof QueueOptions | 'name' | 'handlers' | 'concurrency'>>;
  private readonly handlers: Record<string, TaskHandler>;
  private readonly connection: OwnedConnection;
  private readonly queueOptions: QueueOptions;
  private blocking: Redis | undefined;

  private currentKey = '';
  /** Claimed tasks until their ack, retry or dead-letter step is done. */
  private readonly running = new Set<RunningTask>();
  /** Tasks whose handler has not settled yet; this is what `concurrency` bounds. */
  private busyCount = 0;
  private slotWaiters: Array<() => void> = [];
  private state: 'idle' | 'running' | 'stopping' | 'stopped' = 'idle';
  private fencing: Promise<void> | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private lastHeartbeatSentAtMs = 0;
  private claimLoopDone: Promise<void> | undefined;
  private completedCount = 0;
  private failedCount = 0;
  private ackQueue: Array<{ task: RunningTask; resolve: (code: number) => void; reject: (error: unknown) => void }> = [];
  private ackFlushScheduled = false;

  constructor(options: WorkerOptions) {
    super();
    this.keys = resolveKeys(options);
    if (!options.handlers || typeof options.handlers !== 'object') {
      throw new ConfigError('invalid handlers: expected an object mapping task names to functions');
    }
    this.handlers = options.handlers;
    this.name = options.name ?? `${hostname()}-${process.pid}`;
    if (!workerNamePattern.test(this.name)) {
      throw new ConfigError(`invalid worker name ${JSON.stringify(this.name)}: use 1 to 64 letters, digits, '.', '_' or '-'`);
    }
    this.concurrency = integerOption('concurrency', options.concurrency, defaults.concurrency, 1, 10_000);
    this.options = resolveWorkerTiming(options);
    this.queueOptions = options;
    // Below the TTL where possible: a stalled connection is reopened before the heartbeat runs out twice.
    this.connection = openConnection(options, `dtq-worker-${this.name}`, Math.max(1000, this.options.heartbeatTtlMs));
  }

  get redis(): Redis {
    return this.connection.redis;
  }

  /** The current incarnation's key, `name:incarnation`; empty before start(). */
  get workerKey(): string {
    return this.currentKey;
  }

  /** Tasks running now. */
  get runningCount(): number {
    return this.running.size;
  }

  /** Registers a new incarnation, starts the heartbeat and the claim loop. Resolves once registered. */
  async start(): Promise<void> {
    if (this.state !== 'idle') throw new Error(`worker ${this.name} was already started`);
    this.state = 'running';
    watchConnection(this.redis, this, () => `${this.currentKey} main`, () => this.state !== 'running');
    if (this.redis.status === 'wait') await this.redis.connect();

    await this.register();
    this.scheduleHeartbeat();
    this.claimLoopDone = this.claimLoop();
    this.emitEvent('workerStarted', { workerKey: this.currentKey, name: this.name, pid: process.pid, concurrency: this.concurrency });
  }

  /**
   * Stops gracefully: no new claims, waits up to `timeoutMs` for running
   * tasks, then aborts the rest and moves everything still in this worker's
   * processing list back to pending, and deregisters. The deadline applies even
   * when Redis is unreachable. The master then requeues the tasks once the
   * heartbeat expires.
   */
  async stop(timeoutMs = this.options.shutdownTimeoutMs): Promise<{ releasedCount: number }> {
    if (this.state === 'stopped' || this.state === 'idle') return { releasedCount: 0 };
    this.state = 'stopping';
    const deadlineMs = Date.now() + timeoutMs;
    this.wakeSlotWaiters();
    this.blocking?.disconnect();

    await waitUpTo(this.waitForRunningTasks(), timeoutMs);
    for (const task of this.running) this.abandon(task, 'worker stopped before the task finished');
    await waitUpTo(this.claimLoopDone, deadlineMs - Date.now());

    let releasedCount = 0;
    const workerKey = this.currentKey;
    try {
      releasedCount = await withDeadline(this.releaseOwnList(workerKey), Math.max(250, deadlineMs - Date.now()));
    } catch (error) {
      this.emit('loopError', { operation: 'release on stop', error: (error as Error).message, retryInMs: 0 });
    }
    clearTimeout(this.heartbeatTimer);
    this.state = 'stopped';
    this.emitEvent('workerStopped', { workerKey, releasedCount });
    await withDeadline(closeConnection(this.connection), 1000).catch(() => this.redis.disconnect());
    return { releasedCount };
  }

  private async register(): Promise<void> {
    this.currentKey = `${this.name}:${randomBytes(6).toString('hex')}`;
    const description = JSON.stringify({
      name: this.name,
      incarnation: this.currentKey.slice(this.name.length + 1),
      pid: process.pid,
      host: hostname(),
      concurrency: this.concurrency,
      startedAt: Date.now(),
      heartbeatIntervalMs: this.options.heartbeatIntervalMs,
      heartbeatTtlMs: this.options.heartbeatTtlMs,
    });
    const sentAtMs = Date.now();
    await runScript(this.redis, 'registerWorker', [this.keys.workers, this.keys.heartbeat(this.currentKey)], [
      this.currentKey,
      description,
      this.options.heartbeatTtlMs,
      this.heartbeatValue(),
    ]);
    this.lastHeartbeatSentAtMs = sentAtMs;
  }

  /** Heartbeat value: display data for consoles (the key's existence is what counts). */
  private heartbeatValue(): string {
    const running = [...this.running].slice(0, 8).map((task) => ({ id: task.envelope.id, name: task.envelope.name, startedAtMs: task.startedAtMs }));
    return JSON.stringify({ atMs: Date.now(), completedCount: this.completedCount, failedCount: this.failedCount, running });
  }

  private scheduleHeartbeat(): void {
    this.heartbeatTimer = setTimeout(() => void this.beat(), this.options.heartbeatIntervalMs);
  }

  private async beat(): Promise<void> {
    if (this.state === 'stopped') return;
    if (this.fencing) {
      this.scheduleHeartbeat();
      return;
    }
    const workerKey = this.currentKey;
    const sentAtMs = Date.now();
    try {
      const code = await runScript(this.redis, 'writeHeartbeat', [this.keys.heartbeat(workerKey), this.keys.workers], [
        workerKey,
        this.options.heartbeatTtlMs,
        this.heartbeatValue(),
      ]);
      // While stopping, the worker's own release removes its registry entry; that is not a fence.
      if (code === ScriptCode.fenced && workerKey === this.currentKey && this.state === 'running') void this.fence('heartbeat found the worker declared dead');
      else if (workerKey === this.currentKey) this.lastHeartbeatSentAtMs = sentAtMs;
    } catch (error) {
      this.emit('loopError', { operation: 'heartbeat', error: (error as Error).message, retryInMs: this.options.heartbeatIntervalMs });
      reconnectAfterTimeout(this.redis, error);
    }
    if (!this.isStopped()) this.scheduleHeartbeat();
  }

  private isStopped(): boolean {
    return this.state === 'stopped';
  }

  private async claimLoop(): Promise<void> {
    let failureCount = 0;
    while (this.state === 'running') {
      if (this.fencing) {
        await this.fencing;
        continue;
      }
      // Acks run after the slot is freed, so the next claim overlaps them. The
      // second bound keeps tasks that wait for an ack from piling up while Redis is slow.
      const freeCount = Math.min(this.concurrency - this.busyCount, 2 * this.concurrency - this.running.size);
      if (freeCount <= 0) {
        await this.waitForSlot();
        // Let every handler that settles in this turn free its slot, so one claim fills them all.
        await new Promise((resolve) => setImmediate(resolve));
        continue;
      }

      try {
        await this.claimOnce(freeCount);
        failureCount = 0;
      } catch (error) {
        if (this.state !== 'running') break;
        failureCount++;
        const retryInMs = Math.min(100 * 2 ** Math.min(failureCount, 5), 3000);
        this.emit('loopError', { operation: 'claim', error: (error as Error).message, retryInMs });
        reconnectAfterTimeout(this.redis, error);
        this.resetBlockingConnection();
        await sleep(retryInMs);
        await this.adoptUnknownClaims();
      }
    }
  }

  /** Claims without blocking while pending has tasks; blocks in BLMOVE only when it is empty. */
  private async claimOnce(freeCount: number): Promise<void> {
    const workerKey = this.currentKey;
    const reply = (await runScript(
      this.redis,
      'claimTasks',
      [this.keys.pending, this.keys.processing(workerKey), this.keys.workers, this.keys.paused, this.keys.heartbeat(workerKey)],
      [workerKey, freeCount],
    )) as [number, ...string[]];
    const [code, ...envelopes] = reply;

    if (code === ScriptCode.fenced) {
      if (workerKey === this.currentKey) await this.fence('claim found the worker declared dead');
      return;
    }
    if (code === ScriptCode.paused) {
      await this.sleepWhileRunning(pausePollMs);
      return;
    }
    for (const raw of envelopes) this.startTask(raw, workerKey);
    if (envelopes.length === 0) await this.blockingClaim();
  }

  /**
   * Waits in BLMOVE for the next task. The block never outlasts the current
   * heartbeat: a BLMOVE that Redis serves after the master declared this
   * worker dead would move a task into a list that no master sweeps any more.
   */
  private async blockingClaim(): Promise<void> {
    if (this.state !== 'running') return;
    const workerKey = this.currentKey;
    const heartbeatLeftMs = this.lastHeartbeatSentAtMs + this.options.heartbeatTtlMs - Date.now();
    const blockMs = Math.min(this.options.claimBlockMs, heartbeatLeftMs - blockSafetyMarginMs(this.options.heartbeatTtlMs));
    if (blockMs < 50) {
      await this.sleepWhileRunning(50);
      return;
    }

    const blocking = await this.blockingConnection(blockMs);
    const raw = await blocking.blmove(this.keys.pending, this.keys.processing(workerKey), 'RIGHT', 'LEFT', blockMs / 1000);
    if (raw === null) return;
    if (workerKey !== this.currentKey || this.state !== 'running') {
      // Claimed for an incarnation that was fenced or is stopping: put it back.
      await this.releaseOwnList(workerKey);
      return;
    }
    if (Date.now() > this.lastHeartbeatSentAtMs + this.options.heartbeatTtlMs) {
      // The reply came after the heartbeat could have expired (a freeze, a stalled socket):
      // the master may already have requeued this list, so the task could be running elsewhere.
      await this.fence('claimed a task after the heartbeat could have expired');
      return;
    }
    this.startTask(raw, workerKey);
  }

  /**
   * Returns the connection for BLMOVE, opening it when needed. It is separate
   * because BLMOVE occupies it. It has no offline queue and never resends,
   * because a BLMOVE replayed after a reconnect could run long after this
   * worker was declared dead. Its command timeout sits above the block, so a
   * dead socket cannot park the worker forever.
   */
  private async blockingConnection(blockMs: number): Promise<Redis> {
    if (!this.blocking) {
      this.blocking = createRedis(
        { ...this.queueOptions, name: `dtq-worker-${this.name}-claim` },
        {
          enableOfflineQueue: false,
          autoResendUnfulfilledCommands: false,
          maxRetriesPerRequest: 0,
          commandTimeout: Math.max(blockMs, this.options.claimBlockMs) + 2000,
        },
      );
      watchConnection(this.blocking, this, () => `${this.currentKey} claim`, () => this.state !== 'running');
    }
    const blocking = this.blocking;
    if (blocking.status === 'wait') await blocking.connect();
    else if (blocking.status !== 'ready') await withDeadline(once(blocking, 'ready'), this.options.claimBlockMs + 2000);
    return blocking;
  }

  /** Drops the blocking connection after an error; the next claim opens a fresh one. */
  private resetBlockingConnection(): void {
    this.blocking?.disconnect();
    this.blocking = undefined;
  }

  /**
   * After a claim failed with an unknown outcome (timeout, dropped socket),
   * Redis may have moved a task into this worker's list without the reply
   * arriving. Such entries are adopted and run, so none waits in a live
   * worker's list forever.
   */
  private async adoptUnknownClaims(): Promise<void> {
    if (this.state !== 'running' || this.fencing) return;
    const workerKey = this.currentKey;
    try {
      const entries = await this.redis.lrange(this.keys.processing(workerKey), 0, -1);
      const known = new Map<string, number>();
      for (const task of this.running) known.set(task.raw, (known.get(task.raw) ?? 0) + 1);
      for (const entry of entries) {
        const seen = known.get(entry) ?? 0;
        if (seen > 0) known.set(entry, seen - 1);
        else this.startTask(entry, workerKey);
      }
    } catch {
      // Redis is still away; the next failed claim tries again.
    }
  }

  private startTask(raw: string, workerKey: string): void {
    const decoded = decodeEnvelope(raw, this.options.maxEnvelopeBytes);
    const envelope: TaskEnvelope = decoded.ok
      ? decoded.envelope
      : { id: '', name: '', payload: null, attempt: 1, maxAttempts: 1, enqueuedAt: 0 };
    if (envelope.maxAttempts === 0) envelope.maxAttempts = this.options.maxAttempts;
    const task: RunningTask = { raw, envelope, workerKey, controller: undefined, abortReason: undefined, settle: undefined, startedAtMs: Date.now(), abandoned: false, slotReleased: false };
    this.running.add(task);
    this.busyCount++;

    void this.runTask(task, decoded.ok ? undefined : decoded.reason)
      .catch((error) => this.emit('loopError', { operation: `finish task ${task.envelope.id}`, error: (error as Error).message, retryInMs: 0 }))
      .finally(() => this.finishTask(task));
  }

  private finishTask(task: RunningTask): void {
    this.releaseSlot(task);
    this.running.delete(task);
    this.wakeSlotWaiters();
  }

  private releaseSlot(task: RunningTask): void {
    if (task.slotReleased) return;
    task.slotReleased = true;
    this.busyCount--;
    this.wakeSlotWaiters();
  }

  private async runTask(task: RunningTask, invalidReason: string | undefined): Promise<void> {
    if (invalidReason) {
      await this.deadLetter(task, `invalid envelope: ${invalidReason}`, false);
      return;
    }
    const { envelope } = task;
    const handler = Object.hasOwn(this.handlers, envelope.name) ? this.handlers[envelope.name] : undefined;
    if (typeof handler !== 'function') {
      await this.deadLetter(task, `unknown task name ${JSON.stringify(envelope.name)}: no handler is registered for it on worker ${this.name}`, false);
      return;
    }

    this.emit('claimed', { workerKey: task.workerKey, taskId: envelope.id, name: envelope.name, attempt: envelope.attempt });
    const outcome = await this.invokeHandler(task, handler);
    this.releaseSlot(task);
    if (task.abandoned) return;

    if (outcome.ok) await this.ack(task);
    else await this.handleFailure(task, outcome.error);
  }

  /** Runs the handler, bounded by the task's timeout. A handler that never settles is left behind and its slot freed. */
  private invokeHandler(task: RunningTask, handler: TaskHandler): Promise<Outcome> {
    const { envelope } = task;
    const timeoutMs = envelope.timeoutMs ?? this.options.taskTimeoutMs;
    const context: TaskContext = {
      taskId: envelope.id,
      name: envelope.name,
      attempt: envelope.attempt,
      maxAttempts: envelope.maxAttempts,
      get signal() {
        return taskSignal(task);
      },
      workerKey: task.workerKey,
      log: (message, fields) => this.emit('taskLog', { workerKey: task.workerKey, taskId: envelope.id, message, fields }),
    };

    return new Promise<Outcome>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (outcome: Outcome) => {
        clearTimeout(timer);
        task.settle = undefined;
        resolve(outcome);
      };
      task.settle = finish;
      if (timeoutMs > 0) {
        timer = setTimeout(() => {
          const message = `handler timed out after ${timeoutMs} ms`;
          finish({ ok: false, error: message });
          abortTask(task, new Error(message));
        }, timeoutMs);
      }
      Promise.resolve()
        .then(() => handler(envelope.payload, context))
        .then(
          () => finish(okOutcome),
          (error: unknown) => finish({ ok: false, error: errorMessage(error) }),
        );
    });
  }

  private async handleFailure(task: RunningTask, error: string): Promise<void> {
    const { envelope } = task;
    this.failedCount++;
    this.emit('failed', { workerKey: task.workerKey, taskId: envelope.id, name: envelope.name, attempt: envelope.attempt, error });
    if (envelope.attempt >= envelope.maxAttempts) {
      await this.deadLetter(task, `failed ${envelope.attempt} of ${envelope.maxAttempts} attempts; last error: ${error}`, true);
      return;
    }

    const next: TaskEnvelope = { ...envelope, attempt: envelope.attempt + 1, lastError: error.slice(0, 2000) };
    const dueAtMs = Date.now() + retryDelayMs(envelope.attempt, this.options.retryBaseDelayMs, this.options.retryMaxDelayMs);
    const code = await this.persistently(task, 'retry', () =>
      runScript(this.redis, 'retryTask', [this.keys.processing(task.workerKey), this.keys.delayed, this.keys.stats], [
        task.raw,
        JSON.stringify(next),
        dueAtMs,
      ]),
    );
    if (code === ScriptCode.ok) this.emit('retried', { workerKey: task.workerKey, taskId: envelope.id, attempt: next.attempt, dueAtMs });
    else if (code === ScriptCode.leaseLost) this.reportLeaseLost(task, 'retry');
  }

  private async deadLetter(task: RunningTask, reason: string, countAsFailed: boolean): Promise<void> {
    const { envelope } = task;
    const record = JSON.stringify({ entry: task.raw, reason, at: Date.now(), taskId: envelope.id || undefined, workerKey: task.workerKey });
    const code = await this.persistently(task, 'dead-letter', () =>
      runScript(
        this.redis,
        'deadLetter',
        [this.keys.processing(task.workerKey), this.keys.dead, this.keys.stats, this.keys.recoveries],
        [task.raw, record, envelope.id, countAsFailed ? '1' : '0', this.options.deadMaxLength],
      ),
    );
    if (code === ScriptCode.ok) {
      this.emitEvent('deadLettered', { workerKey: task.workerKey, taskId: envelope.id || undefined, name: envelope.name || undefined, reason });
    } else if (code === ScriptCode.leaseLost) {
      this.reportLeaseLost(task, 'dead-letter');
    }
  }

  /** Acknowledges through a batch: acks of one event-loop turn share one script call. */
  private async ack(task: RunningTask): Promise<void> {
    const code = await this.persistently(task, 'ack', () => this.queueAck(task));
    if (code === ScriptCode.ok) {
      this.completedCount++;
      this.emit('acked', { workerKey: task.workerKey, taskId: task.envelope.id, name: task.envelope.name, durationMs: Date.now() - task.startedAtMs });
    } else if (code === ScriptCode.leaseLost) {
      this.reportLeaseLost(task, 'ack');
    }
  }

  private queueAck(task: RunningTask): Promise<number> {
    return new Promise((resolve, reject) => {
      this.ackQueue.push({ task, resolve, reject });
      if (this.ackFlushScheduled) return;
      this.ackFlushScheduled = true;
      setImmediate(() => void this.flushAcks());
    });
  }

  private async flushAcks(): Promise<void> {
    this.ackFlushScheduled = false;
    const batch = this.ackQueue;
    this.ackQueue = [];
    const byWorkerKey = new Map<string, typeof batch>();
    for (const item of batch) {
      const items = byWorkerKey.get(item.task.workerKey) ?? [];
      items.push(item);
      byWorkerKey.set(item.task.workerKey, items);
    }
    for (const [workerKey, items] of byWorkerKey) {
      const args: string[] = [this.options.audit ? String(this.options.auditRetentionMs) : '0'];
      for (const { task } of items) args.push(task.raw, task.envelope.id);
      try {
        const codes = (await runScript(
          this.redis,
          'ackTasks',
          [this.keys.processing(workerKey), this.keys.stats, this.keys.recoveries, this.keys.audit],
          args,
        )) as number[];
        items.forEach((item, index) => item.resolve(codes[index] ?? ScriptCode.leaseLost));
      } catch (error) {
        for (const item of items) item.reject(error);
      }
    }
  }

  /**
   * Retries a finishing step (ack, retry, dead-letter) until Redis accepts it,
   * so a finished task is not forgotten while Redis restarts. It gives up
   * when the task is abandoned: the worker was fenced or stopped, and the
   * task is requeued instead.
   * NOTE: when a step ran but its reply was lost with the connection, the
   * retry finds the entry gone and reports a lost lease that did not happen.
   */
  private async persistently(task: RunningTask, operation: string, step: () => Promise<unknown>): Promise<number | undefined> {
    for (let failureCount = 1; ; failureCount++) {
      if (task.abandoned) return undefined;
      try {
        return Number(await step());
      } catch (error) {
        const retryInMs = Math.min(100 * 2 ** Math.min(failureCount, 5), 3000);
        this.emit('loopError', { operation: `${operation} task ${task.envelope.id || '(invalid)'}`, error: (error as Error).message, retryInMs });
        reconnectAfterTimeout(this.redis, error);
        await sleep(retryInMs);
      }
    }
  }

  private reportLeaseLost(task: RunningTask, operation: string): void {
    this.emitEvent('leaseLost', { workerKey: task.workerKey, taskId: task.envelope.id, operation });
  }

  private abandon(task: RunningTask, reason: string): void {
    task.abandoned = true;
    task.settle?.({ ok: false, error: 'aborted' });
    abortTask(task, new Error(reason));
  }

  /**
   * Fences this incarnation after the master declared it dead. Every running
   * task is abandoned, because another copy may already run elsewhere and
   * its ack must not happen. Whatever is left in the old list goes back to
   * pending, and the worker registers again as a new incarnation.
   */
  private fence(reason: string): Promise<void> {
    if (this.fencing) return this.fencing;
    this.fencing = (async () => {
      const oldKey = this.currentKey;
      const abortedCount = this.running.size;
      for (const task of this.running) {
        this.abandon(task, `worker fenced: ${reason}`);
        this.releaseSlot(task);
      }
      this.running.clear();
      this.wakeSlotWaiters();

      let releasedCount = 0;
      for (let done = false; !done && this.state !== 'stopped'; ) {
        try {
          releasedCount = await this.releaseOwnList(oldKey);
          if (this.state === 'running') await this.register();
          done = true;
        } catch (error) {
          this.emit('loopError', { operation: 'fence', error: (error as Error).message, retryInMs: fenceRetryMs });
          reconnectAfterTimeout(this.redis, error);
          await sleep(fenceRetryMs);
        }
      }
      this.emitEvent('fenced', { workerKey: oldKey, newWorkerKey: this.currentKey, abortedCount, releasedCount });
    })().finally(() => {
      this.fencing = undefined;
    });
    return this.fencing;
  }

  /** Moves everything in one of this worker's processing lists back to pending and deregisters it. */
  private async releaseOwnList(workerKey: string): Promise<number> {
    const outcome = await requeueWorkerList(this.redis, this.keys, {
      workerKey,
      chunkSize: defaults.scriptChunkSize,
      maxAttempts: this.options.maxAttempts,
      deadMaxLength: this.options.deadMaxLength,
    });
    return outcome.requeuedCount;
  }

  private waitForSlot(): Promise<void> {
    return new Promise((resolve) => this.slotWaiters.push(resolve));
  }

  private wakeSlotWaiters(): void {
    const waiters = this.slotWaiters;
    this.slotWaiters = [];
    for (const wake of waiters) wake();
  }

  private async waitForRunningTasks(): Promise<void> {
    while (this.running.size > 0) await this.waitForSlot();
  }

  private async sleepWhileRunning(ms: number): Promise<void> {
    await waitUpTo(this.waitForSlot(), ms);
  }

  private emitEvent<K extends EngineEventName>(type: K, payload: EngineEvents[K]): void {
    this.emit(type, payload);
    void appendEvent(this.redis, this.keys, this.options.eventsMaxLength, type, payload);
  }
}

function resolveWorkerTiming(options: WorkerOptions): Worker['options'] {
  const heartbeatIntervalMs = integerOption('heartbeatIntervalMs', options.heartbeatIntervalMs, defaults.heartbeatIntervalMs, 10, 3_600_000);
  const heartbeatTtlMs = integerOption('heartbeatTtlMs', options.heartbeatTtlMs, defaults.heartbeatTtlMs, 50, 3_600_000);
  if (heartbeatTtlMs <= heartbeatIntervalMs) {
    throw new ConfigError(
      `invalid heartbeatTtlMs ${heartbeatTtlMs}: it must exceed heartbeatIntervalMs (${heartbeatIntervalMs}), or every worker looks dead between two heartbeats; use at least twice the interval`,
    );
  }
  return {
    heartbeatIntervalMs,
    heartbeatTtlMs,
    claimBlockMs: integerOption('claimBlockMs', options.claimBlockMs, defaults.claimBlockMs, 10, 60_000),
    maxAttempts: integerOption('maxAttempts', options.maxAttempts, defaults.maxAttempts, 1, 1000),
    taskTimeoutMs: integerOption('taskTimeoutMs', options.taskTimeoutMs, defaults.taskTimeoutMs, 0, 24 * 3_600_000),
    shutdownTimeoutMs: integerOption('shutdownTimeoutMs', options.shutdownTimeoutMs, defaults.shutdownTimeoutMs, 0, 3_600_000),
    maxEnvelopeBytes: integerOption('maxEnvelopeBytes', options.maxEnvelopeBytes, defaults.maxEnvelopeBytes, 64, 512 * 1024 * 1024),
    audit: options.audit ?? false,
    auditRetentionMs: integerOption('auditRetentionMs', options.auditRetentionMs, defaults.auditRetentionMs, 1000, 365 * 86_400_000),
    retryBaseDelayMs: integerOption('retryBaseDelayMs', options.retryBaseDelayMs, defaults.retryBaseDelayMs, 0, 3_600_000),
    retryMaxDelayMs: integerOption('retryMaxDelayMs', options.retryMaxDelayMs, defaults.retryMaxDelayMs, 0, 24 * 3_600_000),
    deadMaxLength: integerOption('deadMaxLength', options.deadMaxLength, defaults.deadMaxLength, 1, 100_000_000),
    eventsMaxLength: integerOption('eventsMaxLength', options.eventsMaxLength, defaults.eventsMaxLength, 10, 1_000_000),
  };
}

/** Margin between the end of a BLMOVE block and the heartbeat's expiry: a tenth of the TTL, at most 500 ms. */
function blockSafetyMarginMs(heartbeatTtlMs: number): number {
  return Math.min(500, Math.floor(heartbeatTtlMs / 10));
}

const okOutcome: Outcome = { ok: true };

function taskSignal(task: RunningTask): AbortSignal {
  if (!task.controller) {
    task.controller = new AbortController();
    if (task.abortReason) task.controller.abort(task.abortReason);
  }
  return task.controller.signal;
}

function abortTask(task: RunningTask, reason: Error): void {
  task.abortReason ??= reason;
  task.controller?.abort(reason);
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
