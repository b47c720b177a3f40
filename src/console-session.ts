import type { Redis } from 'ioredis';
import {
  pauseQueue,
  Producer,
  readSnapshot,
  requeueDead,
  resumeQueue,
  type Master,
  type QueueKeys,
  type SnapshotLimits,
} from '../engine/index.js';
import type { Config } from './config.js';
import { stopOwnedRedis, type RedisTarget } from './embedded.js';
import { burstSize, type ConsoleActions, type InjectRequest } from './key-bindings.js';
import type { ConsoleStore, RecoveryTiming } from './store.js';
import type { Supervisor } from './supervisor.js';

/** Time between two snapshot reads: about four a second. */
export const tickIntervalMs = 250;

/**
 * Bounds of one snapshot read. With them a tick costs one script call whose
 * work grows with the number of workers, never with the length of pending.
 */
export const snapshotLimits: Required<SnapshotLimits> = { pendingHeadCount: 5, rowsPerWorker: 5, maxWorkerRows: 100, eventCount: 20 };

/** The same repeated error goes to the events pane at most once in this period. */
const repeatedErrorPeriodMs = 30_000;
const enqueueBatchSize = 10_000;

/** The parts a running console owns. */
export interface ConsoleParts {
  config: Config;
  target: RedisTarget;
  master: Master;
  supervisor: Supervisor;
  /** The console's own connection: snapshots, injections and queue commands; no offline queue, so it fails fast while Redis is away. */
  redis: Redis;
  keys: QueueKeys;
  store: ConsoleStore;
}

/**
 * The console's engine adapter: reads a snapshot every tick into the store,
 * forwards master and supervisor events to it, and carries out the actions
 * the keys ask for. No method throws; failures become events and notices.
 */
export class ConsoleSession implements ConsoleActions {
  private readonly producer: Producer;
  private tickTimer: NodeJS.Timeout | undefined;
  private chaosTimer: NodeJS.Timeout | undefined;
  /** Kill or freeze time per worker name, to time the recovery that follows. */
  private readonly signalledAt = new Map<string, { atMs: number; cause: RecoveryTiming['cause'] }>();
  private readonly seenExits = new Set<string>();
  private readonly lastErrorAt = new Map<string, number>();
  private connectionError: string | undefined;
  private stopPromise: Promise<number> | undefined;
  private finish: (exitCode: number) => void = () => undefined;
  /** Resolves with the exit code once everything the console started has stopped. */
  readonly finished: Promise<number>;

  constructor(private readonly parts: ConsoleParts) {
    this.producer = new Producer({ connection: parts.redis, queue: parts.config.queue, prefix: parts.config.prefix, maxAttempts: parts.config.maxAttempts });
    this.finished = new Promise((resolve) => {
      this.finish = resolve;
    });
  }

  /** Starts the tick loop and forwards events to the store. */
  start(): void {
    const { master, supervisor, redis, store } = this.parts;
    master.on('requeued', ({ workerKey }) => this.timeRecovery(workerKey));
    master.on('loopError', ({ operation, error, retryInMs }) => this.reportRepeated(operation, `${operation} failed: ${error}; retrying in ${retryInMs} ms`));
    supervisor.on('change', () => this.onChildrenChange());
    redis.on('error', (error: Error) => {
      this.connectionError = error.message;
    });
    redis.on('close', () => {
      this.connectionError ??= 'connection closed';
    });
    redis.on('ready', () => {
      this.connectionError = undefined;
    });
    store.getState().setChildren(supervisor.list());
    void this.tick();
  }

  private async tick(): Promise<void> {
    const startedAtMs = Date.now();
    const { redis, keys, master, store } = this.parts;
    try {
      const snapshot = await readSnapshot(redis, keys, snapshotLimits);
      const wasDisconnected = store.getState().connection.status === 'disconnected';
      const downSinceMs = store.getState().connection.sinceMs;
      store.getState().applySnapshot(snapshot, Date.now(), master.role);
      if (wasDisconnected) store.getState().pushEvent('info', `Redis is back after ${Math.round((Date.now() - downSinceMs) / 1000)} s`);
    } catch (error) {
      const state = store.getState();
      const reason = this.connectionError ?? (error as Error).message;
      if (state.connection.status !== 'disconnected') state.pushEvent('error', `lost the Redis connection (${reason}); reconnecting`);
      state.markDisconnected(reason, Date.now());
    }
    if (this.stopPromise) return;
    this.tickTimer = setTimeout(() => void this.tick(), Math.max(0, tickIntervalMs - (Date.now() - startedAtMs)));
  }

  private onChildrenChange(): void {
    const children = this.parts.supervisor.list();
    const state = this.parts.store.getState();
    state.setChildren(children);
    for (const child of children) {
      const id = `${child.name}:${child.pid}`;
      if (child.state !== 'exited' || this.seenExits.has(id)) continue;
      this.seenExits.add(id);
      const how = child.exitSignal ? `by ${child.exitSignal}` : `with code ${child.exitCode ?? '?'}`;
      state.pushEvent(child.exitSignal === 'SIGKILL' || child.exitCode ? 'warn' : 'info', `${child.name} (pid ${child.pid}) exited ${how}; log ${child.logPath}`);
    }
  }

  private timeRecovery(workerKey: string): void {
    const name = workerKey.split(':')[0] ?? workerKey;
    const signalled = this.signalledAt.get(name);
    if (!signalled) return;
    this.signalledAt.delete(name);
    this.parts.store.getState().recordRecovery({ workerKey, latencyMs: Date.now() - signalled.atMs, cause: signalled.cause });
  }

  /** Reports an error, but the same one at most once per period: a down Redis fails every sweep. */
  private reportRepeated(key: string, text: string): void {
    const nowMs = Date.now();
    if (nowMs - (this.lastErrorAt.get(key) ?? 0) < repeatedErrorPeriodMs) return;
    this.lastErrorAt.set(key, nowMs);
    this.parts.store.getState().pushEvent('error', text);
  }

  private fail(what: string, error: unknown): void {
    const state = this.parts.store.getState();
    const text = `${what} failed: ${(error as Error).message}`;
    state.pushEvent('error', text);
    state.setNotice(text, 'error');
  }

  spawnWorker(): void {
    try {
      const child = this.parts.supervisor.spawn();
      this.parts.store.getState().pushEvent('info', `spawned ${child.name} (pid ${child.pid}); log ${child.logPath}`);
    } catch (error) {
      this.fail('spawn', error);
    }
  }

  killWorker(name: string): void {
    const pid = this.pidOf(name);
    if (!this.parts.supervisor.kill(name)) return this.notRunning(name);
    this.signalledAt.set(name, { atMs: Date.now(), cause: 'killed' });
    const { heartbeatTtlMs, sweepMs } = this.parts.config;
    this.parts.store.getState().pushEvent('warn', `sent SIGKILL to ${name} (pid ${pid}): its tasks return within about ${(heartbeatTtlMs + sweepMs) / 1000} s (heartbeat TTL + sweep)`);
  }

  terminateWorker(name: string): void {
    if (!this.parts.supervisor.terminate(name)) return this.notRunning(name);
    this.parts.store.getState().pushEvent('info', `sent SIGTERM to ${name}: it finishes its tasks (up to ${this.parts.config.shutdownTimeoutMs / 1000} s) and stops`);
  }

  toggleFreeze(name: string): void {
    const wasFrozen = this.parts.supervisor.list().find((child) => child.name === name)?.state === 'frozen';
    if (!this.parts.supervisor.toggleFreeze(name)) return this.notRunning(name);
    const state = this.parts.store.getState();
    if (wasFrozen) {
      // A recovery after this point has another cause than the freeze.
      this.signalledAt.delete(name);
      state.pushEvent('info', `resumed ${name} (SIGCONT): if it was declared dead, it re-registers as a new incarnation`);
      return;
    }
    this.signalledAt.set(name, { atMs: Date.now(), cause: 'frozen' });
    state.pushEvent('warn', `froze ${name} (SIGSTOP): declared dead once its heartbeat TTL runs out; z again resumes it`);
  }

  private pidOf(name: string): string {
    return String(this.parts.supervisor.list().find((child) => child.name === name && child.state !== 'exited')?.pid ?? '?');
  }

  private notRunning(name: string): void {
    this.parts.store.getState().setNotice(`${name} is not running any more`, 'warn');
  }

  injectTasks(request: InjectRequest): void {
    void this.enqueue(request);
  }

  injectBurst(): void {
    void this.enqueue({ name: 'sleep', count: burstSize, payload: null });
  }

  private async enqueue({ name, count, payload }: InjectRequest): Promise<void> {
    let enqueued = 0;
    try {
      for (let start = 0; start < count; start += enqueueBatchSize) {
        const size = Math.min(enqueueBatchSize, count - start);
        await this.producer.enqueueBulk(Array.from({ length: size }, () => ({ name, payload })));
        enqueued += size;
      }
      this.parts.store.getState().pushEvent('info', `injected ${count} ${name} task(s) with payload ${JSON.stringify(payload)}`);
    } catch (error) {
      this.fail(`injecting ${count} ${name} task(s) (${enqueued} went in)`, error);
    }
  }

  toggleChaos(): void {
    const state = this.parts.store.getState();
    const enabled = !state.chaos.enabled;
    state.setChaos({ enabled });
    if (enabled) {
      state.pushEvent('warn', `chaos monkey on: SIGKILL a random spawned worker every ${state.chaos.intervalMs / 1000} s and spawn a replacement (+/- change the interval)`);
      this.scheduleChaos();
    } else {
      clearTimeout(this.chaosTimer);
      state.pushEvent('info', 'chaos monkey off');
    }
  }

  private scheduleChaos(): void {
    clearTimeout(this.chaosTimer);
    this.chaosTimer = setTimeout(() => {
      if (!this.parts.store.getState().chaos.enabled || this.stopPromise) return;
      this.chaosStrike();
      this.scheduleChaos();
    }, this.parts.store.getState().chaos.intervalMs);
  }

  private chaosStrike(): void {
    const state = this.parts.store.getState();
    const victims = this.parts.supervisor.list().filter((child) => child.state === 'running' || child.state === 'frozen');
    const victim = victims[Math.floor(Math.random() * victims.length)];
    if (!victim) {
      state.pushEvent('info', 'chaos monkey: no spawned worker alive to kill; press s to spawn some');
      return;
    }
    this.parts.supervisor.kill(victim.name);
    this.signalledAt.set(victim.name, { atMs: Date.now(), cause: 'killed' });
    try {
      const replacement = this.parts.supervisor.spawn();
      state.pushEvent('warn', `chaos monkey: SIGKILL ${victim.name} (pid ${victim.pid}), spawned ${replacement.name} (pid ${replacement.pid})`);
    } catch (error) {
      this.fail(`chaos monkey: SIGKILL ${victim.name}, then spawning a replacement`, error);
    }
  }

  togglePause(): void {
    void this.runQueueCommand(async () => {
      const paused = this.parts.store.getState().snapshot?.paused ?? false;
      if (paused) await resumeQueue(this.parts.redis, this.parts.keys);
      else await pauseQueue(this.parts.redis, this.parts.keys);
      return paused ? 'resumed claiming on the queue' : 'paused the queue: workers finish what they hold and claim nothing new';
    }, 'pause or resume');
  }

  requeueDead(): void {
    void this.runQueueCommand(async () => {
      const { requeuedCount } = await requeueDead(this.parts.redis, this.parts.keys);
      return `requeued ${requeuedCount} dead-letter task(s) to pending with their attempts reset`;
    }, 'requeue of the dead-letter list');
  }

  private async runQueueCommand(command: () => Promise<string>, what: string): Promise<void> {
    try {
      const text = await command();
      this.parts.store.getState().pushEvent('info', text);
    } catch (error) {
      this.fail(what, error);
    }
  }

  quit(): void {
    void this.stop(0);
  }

  /**
   * Stops everything the console started: children (SIGTERM, then SIGKILL
   * after the workers' shutdown timeout plus 2 s), the master, the console's
   * connection and an embedded Redis. Resolves with `exitCode`.
   */
  stop(exitCode: number): Promise<number> {
    if (this.stopPromise) return this.stopPromise;
    clearTimeout(this.tickTimer);
    clearTimeout(this.chaosTimer);
    const { supervisor, master, redis, target, config, store } = this.parts;
    const liveCount = supervisor.liveCount();
    const deadlineMs = config.shutdownTimeoutMs + 2000;
    store.getState().setStopping(
      liveCount > 0 ? `Stopping ${liveCount} worker(s): SIGTERM sent, SIGKILL after ${deadlineMs / 1000} s; then the master${target.server ? ' and the embedded Redis' : ''}` : `Stopping the master${target.server ? ' and the embedded Redis' : ''}`,
    );

    this.stopPromise = (async () => {
      await supervisor.stopAll(deadlineMs);
      await master.stop().catch(() => undefined);
      redis.disconnect();
      await stopOwnedRedis(target, config).catch(() => undefined);
      this.finish(exitCode);
      return exitCode;
    })();
    return this.stopPromise;
  }

  /** Second Ctrl+C: SIGKILL every child and the embedded Redis, and exit without waiting. */
  forceQuit(): void {
    const { supervisor, target } = this.parts;
    for (const child of supervisor.list()) {
      if (child.state !== 'exited') supervisor.kill(child.name);
    }
    void target.server?.kill().catch(() => undefined);
    this.finish(130);
  }
}
