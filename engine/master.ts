import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import * as defaults from './defaults.js';
import { ScriptCode } from './errors.js';
import { appendEvent, TypedEmitter, watchConnection, type EngineEventName, type EngineEvents } from './events.js';
import type { QueueKeys } from './keys.js';
import { closeConnection, integerOption, openConnection, resolveKeys, type OwnedConnection, type QueueOptions } from './options.js';
import { requeueWorkerList } from './requeue.js';
import { reconnectAfterTimeout } from './redis.js';
import { runScript } from './scripts.js';
import { waitUpTo } from './timing.js';

export interface MasterOptions extends QueueOptions {
  /** Time between two sweeps. @default 500 */
  sweepIntervalMs?: number;
  /** Lifetime of the leader lease; renewed every sweep. @default 5000 */
  leaseTtlMs?: number;
  /** Attempts for envelopes that carry no maxAttempts, for poison-task detection. @default 5 */
  maxAttempts?: number;
  /** Entries one requeue or promotion script call moves. @default 500 */
  chunkSize?: number;
  /** @default 100000 */
  deadMaxLength?: number;
  /** @default 1000 */
  eventsMaxLength?: number;
}

/** Outcome of one sweep. */
export interface SweepResult {
  role: 'leader' | 'standby';
  deadWorkerCount: number;
  requeuedCount: number;
  deadLetteredCount: number;
  promotedCount: number;
}

/**
 * Holds the leader lease of a queue and, while it holds it, requeues the tasks
 * of workers whose heartbeat expired and promotes due retries. Any number of
 * masters may run; only the lease holder acts, and every script it runs
 * checks the lease in the same atomic step.
 */
export class Master extends TypedEmitter {
  readonly keys: QueueKeys;
  /** Lease token: unique per Master instance, shown to operators. */
  readonly token: string;
  private readonly connection: OwnedConnection;
  private readonly sweepIntervalMs: number;
  private readonly leaseTtlMs: number;
  private readonly maxAttempts: number;
  private readonly chunkSize: number;
  private readonly deadMaxLength: number;
  private readonly eventsMaxLength: number;
  private currentRole: 'leader' | 'standby' | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private sweeping: Promise<unknown> | undefined;
  private failureCount = 0;

  constructor(options: MasterOptions = {}) {
    super();
    this.keys = resolveKeys(options);
    this.sweepIntervalMs = integerOption('sweepIntervalMs', options.sweepIntervalMs, defaults.sweepIntervalMs, 10, 600_000);
    this.leaseTtlMs = integerOption('leaseTtlMs', options.leaseTtlMs, defaults.leaseTtlMs, 100, 3_600_000);
    this.maxAttempts = integerOption('maxAttempts', options.maxAttempts, defaults.maxAttempts, 1, 1000);
    this.chunkSize = integerOption('chunkSize', options.chunkSize, defaults.scriptChunkSize, 1, 100_000);
    this.deadMaxLength = integerOption('deadMaxLength', options.deadMaxLength, defaults.deadMaxLength, 1, 100_000_000);
    this.eventsMaxLength = integerOption('eventsMaxLength', options.eventsMaxLength, defaults.eventsMaxLength, 10, 1_000_000);
    this.token = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    // Half the lease: a stalled connection is reopened while this master can still renew its lease.
    this.connection = openConnection(options, 'dtq-master', Math.max(1000, Math.floor(this.leaseTtlMs / 2)));
  }

  get redis(): Redis {
    return this.connection.redis;
  }

  /** 'leader' while this master holds the lease, 'standby' otherwise, undefined before the first sweep. */
  get role(): 'leader' | 'standby' | undefined {
    return this.currentRole;
  }

  /** Starts sweeping; resolves after the first sweep. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    watchConnection(this.redis, this, () => `master ${this.token}`, () => !this.running);
    if (this.redis.status === 'wait') await this.redis.connect();
    await this.tick();
  }

  /** Stops sweeping and releases the lease so a standby takes over at once. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.sweeping?.catch(() => undefined);
    if (this.currentRole === 'leader') {
      await waitUpTo(runScript(this.redis, 'releaseLease', [this.keys.master], [this.token]), 1000);
    }
    await waitUpTo(closeConnection(this.connection), 1000);
    // quit() waits for a reply that never comes while Redis is away.
    if (this.connection.owned) this.redis.disconnect();
  }

  /**
   * Renews or takes the lease. As leader, it then requeues the tasks of every
   * worker whose heartbeat expired and promotes due retries.
   */
  async sweep(): Promise<SweepResult> {
    const result: SweepResult = { role: 'standby', deadWorkerCount: 0, requeuedCount: 0, deadLetteredCount: 0, promotedCount: 0 };
    const held = await runScript(this.redis, 'holdLease', [this.keys.master], [this.token, this.leaseTtlMs]);
    this.setRole(held === 1 ? 'leader' : 'standby');
    if (held !== 1) return result;
    result.role = 'leader';

    for (const workerKey of await this.findExpiredWorkers()) {
      const outcome = await this.requeueWorker(workerKey);
      if (!outcome) continue;
      result.deadWorkerCount++;
      result.requeuedCount += outcome.requeuedCount;
      result.deadLetteredCount += outcome.deadLetteredCount;
    }
    result.promotedCount = await this.promoteDueRetries();
    return result;
  }

  private async tick(): Promise<void> {
    if (!this.running) return;
    let delayMs = this.sweepIntervalMs;
    try {
      this.sweeping = this.sweep();
      await this.sweeping;
      this.failureCount = 0;
    } catch (error) {
      // Background loops never throw: report, back off, and keep sweeping.
      this.failureCount++;
      delayMs = Math.min(this.sweepIntervalMs * 2 ** Math.min(this.failureCount, 4), 5000);
      this.emit('loopError', { operation: 'master sweep', error: (error as Error).message, retryInMs: delayMs });
      reconnectAfterTimeout(this.redis, error);
    } finally {
      this.sweeping = undefined;
    }
    if (this.running) this.timer = setTimeout(() => void this.tick(), delayMs);
  }

  private setRole(role: 'leader' | 'standby'): void {
    if (role === this.currentRole) return;
    const previous = this.currentRole;
    this.currentRole = role;
    if (previous === undefined && role === 'standby') {
      this.emit('leaderChanged', { role, token: this.token });
      return;
    }
    this.emitEvent('leaderChanged', { role, token: this.token });
  }

  /** Reads the registry (never KEYS or SCAN) and returns the workers whose heartbeat key is gone. */
  private async findExpiredWorkers(): Promise<string[]> {
    const workerKeys = await this.redis.hkeys(this.keys.workers);
    if (workerKeys.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const workerKey of workerKeys) pipeline.exists(this.keys.heartbeat(workerKey));
    const replies = (await pipeline.exec()) ?? [];
    return workerKeys.filter((_, index) => replies[index]?.[1] === 0);
  }

  /** Requeues one dead worker's list; undefined when the worker turned out alive or the lease was lost. */
  private async requeueWorker(workerKey: string): Promise<{ requeuedCount: number; deadLetteredCount: number } | undefined> {
    const description = await this.redis.hget(this.keys.workers, workerKey);
    const name = parseWorkerName(description, workerKey);
    const { code, heldCount, requeuedCount, deadLetteredCount } = await requeueWorkerList(this.redis, this.keys, {
      workerKey,
      chunkSize: this.chunkSize,
      maxAttempts: this.maxAttempts,
      deadMaxLength: this.deadMaxLength,
      leaseToken: this.token,
    });
    if (code === ScriptCode.notLeader) this.setRole('standby');
    if (code !== ScriptCode.ok) return undefined;

    this.emitEvent('workerDead', { workerKey, name, heldCount });
    this.emitEvent('requeued', { workerKey, requeuedCount, deadLetteredCount });
    if (deadLetteredCount > 0) {
      this.emitEvent('deadLettered', { workerKey, reason: `${deadLetteredCount} poison task(s) from worker ${workerKey}: their workers died on every allowed attempt` });
    }
    return { requeuedCount, deadLetteredCount };
  }

  private async promoteDueRetries(): Promise<number> {
    let promotedCount = 0;
    for (;;) {
      const moved = Number(
        await runScript(this.redis, 'promoteDelayed', [this.keys.delayed, this.keys.pending, this.keys.master], [Date.now(), this.chunkSize, this.token]),
      );
      if (moved === ScriptCode.notLeader) {
        this.setRole('standby');
        return promotedCount;
      }
      promotedCount += moved;
      if (moved < this.chunkSize) return promotedCount;
    }
  }

  private emitEvent<K extends EngineEventName>(type: K, payload: EngineEvents[K]): void {
    this.emit(type, payload);
    void appendEvent(this.redis, this.keys, this.eventsMaxLength, type, payload);
  }
}

function parseWorkerName(description: string | null, workerKey: string): string {
  try {
    const parsed = JSON.parse(description ?? '') as { name?: unknown };
    if (typeof parsed.name === 'string') return parsed.name;
  } catch {
    // Fall through: a hand-edited registry entry still gets a name.
  }
  return workerKey.split(':')[0] ?? workerKey;
}
