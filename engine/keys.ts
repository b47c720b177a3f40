import { ConfigError } from './errors.js';

/** Names of every Redis key of one queue. All of them share the hash tag `{queue}`. */
export interface QueueKeys {
  readonly prefix: string;
  readonly queue: string;
  readonly pending: string;
  readonly workers: string;
  readonly delayed: string;
  readonly dead: string;
  readonly stats: string;
  readonly audit: string;
  readonly recoveries: string;
  readonly master: string;
  readonly events: string;
  readonly paused: string;
  processing(workerKey: string): string;
  heartbeat(workerKey: string): string;
}

const namePattern = /^[A-Za-z0-9_.\-]{1,100}$/;

/**
 * Checks a queue name or prefix. Colons would make key names ambiguous and
 * braces would break the hash tag that keeps a queue on one cluster slot.
 */
export function validateName(kind: 'queue' | 'prefix', value: string): string {
  if (!namePattern.test(value)) {
    throw new ConfigError(
      `invalid ${kind} name ${JSON.stringify(value)}: use 1 to 100 letters, digits, '.', '_' or '-' (no ':' or braces)`,
    );
  }
  return value;
}

/** Builds the key names of queue `queue` under `prefix`; the only place key names are made. */
export function queueKeys(prefix: string, queue: string): QueueKeys {
  validateName('prefix', prefix);
  validateName('queue', queue);
  const base = `${prefix}:{${queue}}`;
  return {
    prefix,
    queue,
    pending: `${base}:pending`,
    workers: `${base}:workers`,
    delayed: `${base}:delayed`,
    dead: `${base}:dead`,
    stats: `${base}:stats`,
    audit: `${base}:audit`,
    recoveries: `${base}:recoveries`,
    master: `${base}:master`,
    events: `${base}:events`,
    paused: `${base}:paused`,
    processing: (workerKey) => `${base}:processing:${workerKey}`,
    heartbeat: (workerKey) => `${base}:heartbeat:${workerKey}`,
  };
}

/** Returns the prefix the Lua scripts use to derive per-worker keys from a workerKey. */
export function workerKeyBase(keys: QueueKeys): string {
  return `${keys.prefix}:{${keys.queue}}`;
}
