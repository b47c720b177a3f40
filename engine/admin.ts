import type { Redis } from 'ioredis';
import { decodeEnvelope, type TaskEnvelope } from './envelope.js';
import type { QueueKeys } from './keys.js';
import { runScript } from './scripts.js';

/** One dead-letter record. */
export interface DeadRecord {
  /** The record exactly as stored, the handle for requeue. */
  raw: string;
  /** The claimed entry: an envelope, or whatever string was pushed. */
  entry: string;
  reason: string;
  atMs: number;
  taskId?: string;
}

const pageSize = 500;

/** Stops claims on the queue: workers finish what they hold and claim nothing new until resume. */
export async function pauseQueue(redis: Redis, keys: QueueKeys): Promise<void> {
  await redis.set(keys.paused, String(Date.now()));
}

/** Lets workers claim again. */
export async function resumeQueue(redis: Redis, keys: QueueKeys): Promise<void> {
  await redis.del(keys.paused);
}

/** Parses a stored dead-letter record; a record that is not JSON is shown as its own entry. */
export function parseDeadRecord(raw: string): DeadRecord {
  try {
    const value = JSON.parse(raw) as { entry?: unknown; reason?: unknown; at?: unknown; taskId?: unknown };
    return {
      raw,
      entry: typeof value.entry === 'string' ? value.entry : raw,
      reason: typeof value.reason === 'string' ? value.reason : 'unknown',
      atMs: typeof value.at === 'number' ? value.at : 0,
      taskId: typeof value.taskId === 'string' ? value.taskId : undefined,
    };
  } catch {
    return { raw, entry: raw, reason: 'unknown', atMs: 0 };
  }
}

/** Returns the newest `limit` dead-letter records, newest first. */
export async function listDead(redis: Redis, keys: QueueKeys, limit: number): Promise<DeadRecord[]> {
  const raws = await redis.lrange(keys.dead, 0, limit - 1);
  return raws.map(parseDeadRecord);
}

/** Builds the envelope to push when a dead task is requeued, with the attempt reset so it gets its full attempts again. */
function revivedEntry(record: DeadRecord): string {
  const decoded = decodeEnvelope(record.entry, Number.MAX_SAFE_INTEGER);
  if (!decoded.ok) return record.entry;
  const envelope: TaskEnvelope = { ...decoded.envelope, attempt: 1 };
  delete envelope.lastError;
  return JSON.stringify(envelope);
}

/**
 * Requeues dead-letter records: all of them, or those whose task id is in
 * `taskIds`. It walks the list from the oldest end in pages of 500, one
 * atomic script call per page, so no call blocks Redis for long. Returns the
 * number requeued and the ids not found.
 */
export async function requeueDead(redis: Redis, keys: QueueKeys, taskIds?: readonly string[]): Promise<{ requeuedCount: number; missingIds: string[] }> {
  const wanted = taskIds ? new Set(taskIds) : undefined;
  let requeuedCount = 0;
  let end = -1;
  for (;;) {
    const page = await redis.lrange(keys.dead, end - pageSize + 1, end);
    if (page.length === 0) break;
    const records = page.map(parseDeadRecord).filter((record) => !wanted || (record.taskId !== undefined && wanted.has(record.taskId)));
    const args = records.flatMap((record) => [record.raw, revivedEntry(record)]);
    const moved = args.length > 0 ? Number(await runScript(redis, 'requeueDead', [keys.dead, keys.pending, keys.stats], args)) : 0;
    requeuedCount += moved;
    for (const record of records) wanted?.delete(record.taskId as string);
    if (wanted && wanted.size === 0) break;
    // Requeued records left the list, so the next page starts that many entries further right.
    end = end - page.length + moved;
    if (page.length < pageSize) break;
  }
  return { requeuedCount, missingIds: wanted ? [...wanted] : [] };
}

/** Deletes every dead-letter record and returns how many there were. UNLINK frees the memory in the background. */
export async function purgeDead(redis: Redis, keys: QueueKeys): Promise<number> {
  const replies = await redis.multi().llen(keys.dead).unlink(keys.dead).exec();
  const length = Number(replies?.[0]?.[1] ?? 0);
  if (length > 0) await redis.hincrby(keys.stats, 'purged', length);
  return length;
}
