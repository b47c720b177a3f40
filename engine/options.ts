import type { Redis } from 'ioredis';
import { ConfigError } from './errors.js';
import { queueKeys, type QueueKeys } from './keys.js';
import * as defaults from './defaults.js';
import { createRedis, type RedisConnectionOptions } from './redis.js';

/** Options every engine class takes to find its queue. */
export interface QueueOptions extends RedisConnectionOptions {
  /** @default 'default' */
  queue?: string;
  /** @default 'dtq' */
  prefix?: string;
  /**
   * An existing connection to use instead of opening one from `url`. The
   * caller keeps ownership: close() leaves it open.
   */
  connection?: Redis;
}

/** Returns `value`, or `fallback` when undefined, after checking it is an integer in [min, max]. */
export function integerOption(option: string, value: number | undefined, fallback: number, min: number, max: number): number {
  const chosen = value ?? fallback;
  if (!Number.isInteger(chosen) || chosen < min || chosen > max) {
    throw new ConfigError(`invalid ${option} ${String(chosen)}: expected an integer from ${min} to ${max}`);
  }
  return chosen;
}

/** Builds the key names of the queue in `options`. */
export function resolveKeys(options: QueueOptions): QueueKeys {
  return queueKeys(options.prefix ?? defaults.prefix, options.queue ?? defaults.queue);
}

/** A connection the class owns (and closes) or borrows. */
export interface OwnedConnection {
  redis: Redis;
  owned: boolean;
}

/**
 * Uses the caller's connection or opens one with auto-pipelining, which
 * batches the many small commands of a busy worker. Every command times out
 * after `commandTimeoutMs`: a socket that stopped replying, or a command
 * ioredis dropped during a reconnect, must not stall a loop forever.
 */
export function openConnection(options: QueueOptions, name: string, commandTimeoutMs = defaults.commandTimeoutMs): OwnedConnection {
  if (options.connection) return { redis: options.connection, owned: false };
  const redis = createRedis({ ...options, name }, { enableAutoPipelining: true, commandTimeout: commandTimeoutMs });
  // Failures reach callers as rejected commands and as the classes' own events; without a listener ioredis prints each reconnect error.
  redis.on('error', () => undefined);
  return { redis, owned: true };
}

/** Closes a connection if the class opened it. */
export async function closeConnection(connection: OwnedConnection): Promise<void> {
  if (!connection.owned) return;
  try {
    await connection.redis.quit();
  } catch {
    connection.redis.disconnect();
  }
}
