import type { Redis } from 'ioredis';
import type { QueueKeys } from './keys.js';
import { workerKeyBase } from './keys.js';
import { runScript } from './scripts.js';

/** One registered worker incarnation as a snapshot shows it. */
export interface WorkerSnapshot {
  workerKey: string;
  name: string;
  incarnation: string;
  pid: number | undefined;
  host: string | undefined;
  concurrency: number | undefined;
  startedAtMs: number | undefined;
  heartbeatTtlMs: number | undefined;
  /** Remaining heartbeat lifetime in ms; negative when the key is gone (-2) or has no TTL (-1). */
  heartbeatTtlLeftMs: number;
  /** Completed count reported by the worker's last heartbeat. */
  completedCount: number;
  /** Tasks the worker reported running at its last heartbeat, with their start times. */
  running: Array<{ id: string; name: string; startedAtMs: number }>;
  processingCount: number;
  /** Oldest entries of its processing list (bounded). */
  processing: string[];
}

/** One entry of the events stream. */
export interface StreamEvent {
  id: string;
  atMs: number;
  type: string;
  data: Record<string, unknown>;
}

/** Everything a console tick or `status` needs, read atomically. */
export interface QueueSnapshot {
  pendingCount: number;
  delayedCount: number;
  deadCount: number;
  processingCount: number;
  workerCount: number;
  stats: Record<string, number>;
  /** Lease token of the leading master, or '' when no master holds the lease. */
  master: string;
  paused: boolean;
  /** The next envelopes to be claimed, the very next one first. */
  pendingHead: string[];
  workers: WorkerSnapshot[];
  /** Most recent first. */
  events: StreamEvent[];
  serverTimeMs: number;
}

/** Bounds of one snapshot read. */
export interface SnapshotLimits {
  pendingHeadCount?: number;
  rowsPerWorker?: number;
  maxWorkerRows?: number;
  eventCount?: number;
}

interface RawWorker {
  key: string;
  description: string;
  heartbeatTtlLeftMs: number;
  heartbeatValue: string;
  processingCount: number;
  processing: string[] | Record<string, never>;
}

/**
 * Reads a snapshot in one script call. Its cost depends on the number of
 * workers and the limits, never on the length of pending or the dead-letter list.
 */
export async function readSnapshot(redis: Redis, keys: QueueKeys, limits: SnapshotLimits = {}): Promise<QueueSnapshot> {
  const reply = (await runScript(
    redis,
    'readSnapshot',
    [keys.pending, keys.delayed, keys.dead, keys.stats, keys.workers, keys.master, keys.paused, keys.events],
    [workerKeyBase(keys), limits.pendingHeadCount ?? 5, limits.rowsPerWorker ?? 5, limits.maxWorkerRows ?? 200, limits.eventCount ?? 20],
  )) as string;
  const raw = JSON.parse(reply) as Record<string, unknown>;

  return {
    pendingCount: Number(raw.pendingCount),
    delayedCount: Number(raw.delayedCount),
    deadCount: Number(raw.deadCount),
    processingCount: Number(raw.processingCount),
    workerCount: Number(raw.workerCount),
    stats: pairsToNumbers(asArray<string>(raw.stats)),
    master: String(raw.master ?? ''),
    paused: raw.paused === true,
    pendingHead: asArray<string>(raw.pendingHead).reverse(),
    workers: asArray<RawWorker>(raw.workers).map(toWorkerSnapshot),
    events: asArray<[string, string[]]>(raw.events).map(toStreamEvent),
    serverTimeMs: Number(raw.serverTimeMs),
  };
}

/** cjson encodes an empty Lua table as {}, so any non-array stands for an empty list. */
function asArray<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

function pairsToNumbers(pairs: string[]): Record<string, number> {
  const result: Record<string, number> = {};
  for (let i = 0; i + 1 < pairs.length; i += 2) result[pairs[i] as string] = Number(pairs[i + 1]);
  return result;
}

function parseJsonObject(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function optionalNumber(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

function toWorkerSnapshot(raw: RawWorker): WorkerSnapshot {
  const description = parseJsonObject(raw.description);
  const heartbeat = parseJsonObject(raw.heartbeatValue);
  const separator = raw.key.indexOf(':');
  return {
    workerKey: raw.key,
    name: typeof description.name === 'string' ? description.name : raw.key.slice(0, Math.max(0, separator)),
    incarnation: separator >= 0 ? raw.key.slice(separator + 1) : '',
    pid: optionalNumber(description.pid),
    host: typeof description.host === 'string' ? description.host : undefined,
    concurrency: optionalNumber(description.concurrency),
    startedAtMs: optionalNumber(description.startedAt),
    heartbeatTtlMs: optionalNumber(description.heartbeatTtlMs),
    heartbeatTtlLeftMs: Number(raw.heartbeatTtlLeftMs),
    completedCount: optionalNumber(heartbeat.completedCount) ?? 0,
    running: Array.isArray(heartbeat.running) ? (heartbeat.running as WorkerSnapshot['running']) : [],
    processingCount: Number(raw.processingCount),
    processing: asArray<string>(raw.processing).reverse(),
  };
}

function toStreamEvent([id, fields]: [string, string[]]): StreamEvent {
  const values = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) values.set(fields[i] as string, fields[i + 1] as string);
  return {
    id,
    atMs: Number(id.split('-')[0]),
    type: values.get('type') ?? 'unknown',
    data: parseJsonObject(values.get('data') ?? '{}'),
  };
}

/**
 * Tasks unaccounted for: enqueued minus everything that can be seen. It reads
 * 0 when no task was lost. Entries pushed by hand (not through a Producer)
 * are not counted as enqueued, so dead-lettering them makes it negative.
 */
export function lostCount(snapshot: QueueSnapshot): number {
  const { stats } = snapshot;
  const seen = snapshot.pendingCount + snapshot.processingCount + snapshot.delayedCount + (stats.dead ?? 0) + (stats.completed ?? 0);
  return (stats.enqueued ?? 0) - seen;
}
