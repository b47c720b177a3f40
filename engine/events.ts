import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { QueueKeys } from './keys.js';

/** Events of workers and masters. The console store and the JSON logger both consume them. */
export interface EngineEvents {
  workerStarted: { workerKey: string; name: string; pid: number; concurrency: number };
  workerStopped: { workerKey: string; releasedCount: number };
  claimed: { workerKey: string; taskId: string; name: string; attempt: number };
  acked: { workerKey: string; taskId: string; name: string; durationMs: number };
  failed: { workerKey: string; taskId: string; name: string; attempt: number; error: string };
  retried: { workerKey: string; taskId: string; attempt: number; dueAtMs: number };
  deadLettered: { workerKey?: string; taskId?: string; name?: string; reason: string };
  leaseLost: { workerKey: string; taskId: string; operation: string };
  fenced: { workerKey: string; newWorkerKey: string; abortedCount: number; releasedCount: number };
  workerDead: { workerKey: string; name: string; heldCount: number };
  requeued: { workerKey: string; requeuedCount: number; deadLetteredCount: number; latencyMs?: number };
  leaderChanged: { role: 'leader' | 'standby'; token: string };
  redisDisconnected: { connection: string; error?: string };
  redisReconnected: { connection: string };
  taskLog: { workerKey: string; taskId: string; message: string; fields?: Record<string, unknown> };
  loopError: { operation: string; error: string; retryInMs: number };
}

export type EngineEventName = keyof EngineEvents;

/** An EventEmitter whose event names and payloads are checked against EngineEvents. */
export class TypedEmitter extends EventEmitter {
  override emit<K extends EngineEventName>(event: K, payload: EngineEvents[K]): boolean {
    return super.emit(event, payload);
  }

  override on<K extends EngineEventName>(event: K, listener: (payload: EngineEvents[K]) => void): this {
    return super.on(event, listener);
  }

  override once<K extends EngineEventName>(event: K, listener: (payload: EngineEvents[K]) => void): this {
    return super.once(event, listener);
  }

  override off<K extends EngineEventName>(event: K, listener: (payload: EngineEvents[K]) => void): this {
    return super.off(event, listener);
  }
}

/** Events worth keeping in the capped stream for consoles: rare, operational ones, never per-task success. */
export const streamedEvents: ReadonlySet<EngineEventName> = new Set<EngineEventName>([
  'workerStarted',
  'workerStopped',
  'deadLettered',
  'leaseLost',
  'fenced',
  'workerDead',
  'requeued',
  'leaderChanged',
]);

/**
 * Appends an event to the queue's capped stream. Failures are swallowed on
 * purpose: the stream is a display aid, and the event was already emitted
 * in-process.
 */
export async function appendEvent<K extends EngineEventName>(
  redis: Redis,
  keys: QueueKeys,
  maxLength: number,
  type: K,
  payload: EngineEvents[K],
): Promise<void> {
  try {
    await redis.xadd(keys.events, 'MAXLEN', '~', maxLength, '*', 'type', type, 'data', JSON.stringify(payload));
  } catch {
    // Best effort, see above.
  }
}

/**
 * Emits redisDisconnected once when a connection drops and redisReconnected
 * when it is ready again. ioredis reports every failed reconnect attempt as an
 * 'error' event; the listener keeps those from being printed as unhandled.
 */
export function watchConnection(redis: Redis, emitter: TypedEmitter, label: () => string, isStopped: () => boolean): void {
  let lost = false;
  redis.on('error', () => {
    // The state changes are reported by 'close' and 'ready' below.
  });
  redis.on('close', () => {
    if (lost || isStopped()) return;
    lost = true;
    emitter.emit('redisDisconnected', { connection: label() });
  });
  redis.on('ready', () => {
    if (!lost) return;
    lost = false;
    emitter.emit('redisReconnected', { connection: label() });
  });
}
