import type { Redis } from 'ioredis';
import * as defaults from './defaults.js';
import { encodeEnvelope, newTaskId, validateTaskName, type TaskEnvelope } from './envelope.js';
import { TaskValidationError } from './errors.js';
import type { QueueKeys } from './keys.js';
import { closeConnection, integerOption, openConnection, resolveKeys, type OwnedConnection, type QueueOptions } from './options.js';
import { reconnectAfterTimeout } from './redis.js';
import { runScript } from './scripts.js';

export interface ProducerOptions extends QueueOptions {
  /** Largest encoded envelope accepted, in bytes. @default 524288 (512 KiB) */
  maxEnvelopeBytes?: number;
  /** Attempts given to tasks that do not set their own. @default 5 */
  maxAttempts?: number;
}

/** Per-task options of enqueue(). */
export interface EnqueueOptions {
  /** Executions before the task is dead-lettered. @default the producer's maxAttempts */
  maxAttempts?: number;
  /** Wait this long before the task becomes pending, in ms. @default 0 */
  delayMs?: number;
  /** Handler timeout for this task, in ms; overrides the worker's default. */
  timeoutMs?: number;
}

/** One task of enqueueBulk(). */
export interface TaskRequest {
  name: string;
  payload?: unknown;
  options?: EnqueueOptions;
}

const maxDelayMs = 365 * 24 * 3600 * 1000;

/** Pushes task envelopes onto a queue. */
export class Producer {
  readonly keys: QueueKeys;
  private readonly connection: OwnedConnection;
  private readonly maxEnvelopeBytes: number;
  private readonly maxAttempts: number;

  constructor(options: ProducerOptions = {}) {
    this.keys = resolveKeys(options);
    this.maxEnvelopeBytes = integerOption('maxEnvelopeBytes', options.maxEnvelopeBytes, defaults.maxEnvelopeBytes, 64, 512 * 1024 * 1024);
    this.maxAttempts = integerOption('maxAttempts', options.maxAttempts, defaults.maxAttempts, 1, 1000);
    this.connection = openConnection(options, 'dtq-producer');
  }

  get redis(): Redis {
    return this.connection.redis;
  }

  /** Enqueues one task and returns its id. */
  async enqueue(name: string, payload: unknown = null, options: EnqueueOptions = {}): Promise<string> {
    const [id] = await this.enqueueBulk([{ name, payload, options }]);
    return id as string;
  }

  /**
   * Enqueues many tasks and returns their ids in order. Every task is checked
   * before anything is sent, so an invalid task rejects the whole call and
   * none of it is enqueued. Envelopes go in batches of 1000 per script call.
   */
  async enqueueBulk(tasks: readonly TaskRequest[]): Promise<string[]> {
    const groups = new Map<number, string[]>();
    const ids: string[] = [];
    const nowMs = Date.now();
    tasks.forEach((task, index) => {
      const label = tasks.length > 1 ? `task #${index + 1}: ` : '';
      const { id, text, dueAtMs } = this.buildEnvelope(task, nowMs, label);
      ids.push(id);
      const group = groups.get(dueAtMs) ?? [];
      group.push(text);
      groups.set(dueAtMs, group);
    });

    const calls: Promise<unknown>[] = [];
    for (const [dueAtMs, texts] of groups) {
      for (let start = 0; start < texts.length; start += defaults.enqueueBatchSize) {
        const batch = texts.slice(start, start + defaults.enqueueBatchSize);
        calls.push(runScript(this.redis, 'enqueueTasks', [this.keys.pending, this.keys.delayed, this.keys.stats], [dueAtMs, ...batch]));
      }
    }
    try {
      await Promise.all(calls);
    } catch (error) {
      reconnectAfterTimeout(this.redis, error);
      throw error;
    }
    return ids;
  }

  private buildEnvelope(task: TaskRequest, nowMs: number, label: string): { id: string; text: string; dueAtMs: number } {
    try {
      validateTaskName(task.name);
      const options = task.options ?? {};
      const envelope: TaskEnvelope = {
        id: newTaskId(nowMs),
        name: task.name,
        payload: task.payload ?? null,
        attempt: 1,
        maxAttempts: integerOption('maxAttempts', options.maxAttempts, this.maxAttempts, 1, 1000),
        enqueuedAt: nowMs,
      };
      if (options.timeoutMs !== undefined) {
        envelope.timeoutMs = integerOption('timeoutMs', options.timeoutMs, 0, 1, 24 * 3600 * 1000);
      }
      const delayMs = integerOption('delayMs', options.delayMs, 0, 0, maxDelayMs);
      const text = encodeEnvelope(envelope, this.maxEnvelopeBytes);
      return { id: envelope.id, text, dueAtMs: delayMs > 0 ? nowMs + delayMs : 0 };
    } catch (error) {
      throw new TaskValidationError(`${label}${(error as Error).message}`);
    }
  }

  /** Closes the connection if the producer opened it. */
  async close(): Promise<void> {
    await closeConnection(this.connection);
  }
}
