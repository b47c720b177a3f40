import { randomBytes } from 'node:crypto';
import { TaskValidationError } from './errors.js';

/** The JSON string a producer pushes onto pending and a worker claims. */
export interface TaskEnvelope {
  /** Unique task id, a ULID: sortable by creation time. */
  id: string;
  /** Handler name. */
  name: string;
  /** Any JSON value the handler receives. */
  payload: unknown;
  /** 1 for the first execution, incremented by each retry. */
  attempt: number;
  /** Executions before the task is dead-lettered. */
  maxAttempts: number;
  /** Creation time, ms since the epoch. */
  enqueuedAt: number;
  /** Handler timeout for this task in ms; overrides the worker default. */
  timeoutMs?: number;
  /** Message of the error that made the previous attempt fail. */
  lastError?: string;
}

export type DecodeResult = { ok: true; envelope: TaskEnvelope } | { ok: false; reason: string };

const crockford = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Random bytes drawn in blocks: one randomBytes() call per id costs more than the rest of an enqueue. */
let randomPool = Buffer.alloc(0);
let randomOffset = 0;

function takeRandomBytes(count: number): Buffer {
  if (randomOffset + count > randomPool.length) {
    randomPool = randomBytes(16 * 1024);
    randomOffset = 0;
  }
  const bytes = randomPool.subarray(randomOffset, randomOffset + count);
  randomOffset += count;
  return bytes;
}

/** Makes a ULID: 10 characters of millisecond time and 16 of randomness. */
export function newTaskId(nowMs = Date.now()): string {
  let time = '';
  let rest = nowMs;
  for (let i = 0; i < 10; i++) {
    time = crockford[rest % 32] + time;
    rest = Math.floor(rest / 32);
  }
  let random = '';
  for (const byte of takeRandomBytes(16)) random += crockford[byte % 32];
  return time + random;
}

const taskNamePattern = /^[A-Za-z0-9_.:\-]{1,200}$/;

/** Throws a TaskValidationError unless `name` is a usable handler name. */
export function validateTaskName(name: string): void {
  if (typeof name !== 'string' || !taskNamePattern.test(name)) {
    throw new TaskValidationError(
      `invalid task name ${JSON.stringify(name)}: use 1 to 200 letters, digits, '.', '_', ':' or '-'`,
    );
  }
}

/** Serialises an envelope and checks it against the size limit. */
export function encodeEnvelope(envelope: TaskEnvelope, maxBytes: number): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(envelope);
  } catch (error) {
    throw new TaskValidationError(
      `payload of task ${envelope.name} is not JSON-serialisable: ${(error as Error).message}`,
    );
  }
  if (text === undefined) {
    throw new TaskValidationError(`payload of task ${envelope.name} is not JSON-serialisable`);
  }
  const size = Buffer.byteLength(text);
  if (size > maxBytes) {
    throw new TaskValidationError(
      `task ${envelope.name} is ${size} bytes encoded, over the limit of ${maxBytes}: store large data elsewhere and pass a reference, or raise maxEnvelopeBytes`,
    );
  }
  return text;
}

/**
 * Parses a string claimed from pending. Anything a producer outside this
 * library pushed may be malformed, so every field is checked and the reason
 * for a rejection is returned for the dead-letter entry.
 */
export function decodeEnvelope(raw: string, maxBytes: number): DecodeResult {
  const size = Buffer.byteLength(raw);
  if (size > maxBytes) return { ok: false, reason: `envelope is ${size} bytes, over the limit of ${maxBytes}` };

  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, reason: 'envelope is not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'envelope is not a JSON object' };
  }

  const fields = value as Record<string, unknown>;
  if (typeof fields.id !== 'string' || fields.id.length === 0) return { ok: false, reason: 'envelope has no string id' };
  if (typeof fields.name !== 'string' || !taskNamePattern.test(fields.name)) {
    return { ok: false, reason: 'envelope has no valid task name' };
  }

  const attempt = positiveIntegerOr(fields.attempt, 1);
  const maxAttempts = positiveIntegerOr(fields.maxAttempts, 0);
  const timeoutMs = positiveIntegerOr(fields.timeoutMs, 0);
  const envelope: TaskEnvelope = {
    id: fields.id,
    name: fields.name,
    payload: fields.payload ?? null,
    attempt,
    maxAttempts,
    enqueuedAt: typeof fields.enqueuedAt === 'number' ? fields.enqueuedAt : 0,
  };
  if (timeoutMs > 0) envelope.timeoutMs = timeoutMs;
  if (typeof fields.lastError === 'string') envelope.lastError = fields.lastError;
  return { ok: true, envelope };
}

function positiveIntegerOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : fallback;
}
