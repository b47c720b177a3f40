import { Redis, type RedisOptions } from 'ioredis';
import { ConfigError, RedisSetupError, RedisUnreachableError } from './errors.js';

/** How to reach Redis: a URL (redis:// or rediss:// for TLS, with optional user and password). */
export interface RedisConnectionOptions {
  /** @default 'redis://127.0.0.1:6379' */
  url?: string;
  /** Extra ioredis options, merged over the engine's. */
  redisOptions?: RedisOptions;
}

/** Replaces the password of a Redis URL with `***`, for logs, errors and the screen. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url.replace(/\/\/([^@/]*)@/, '//***@');
  }
}

/** Checks that a string is a redis:// or rediss:// URL; returns a message saying how to fix it, or undefined. */
export function checkRedisUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `invalid Redis URL ${JSON.stringify(redactRedisUrl(url))}: expected redis://[user:password@]host:port[/db] or rediss:// for TLS`;
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    return `invalid Redis URL scheme ${JSON.stringify(parsed.protocol)}: use redis:// or rediss:// (TLS)`;
  }
  return undefined;
}

/**
 * Opens an ioredis connection. Reconnects forever with capped backoff, so
 * long-running processes survive Redis restarts. Commands that were sent
 * when the connection dropped fail instead of being resent. A resent claim
 * would hide the reply of the first one and leave its tasks unknown to the
 * worker, while a failure makes the worker look for such tasks.
 */
export function createRedis(options: RedisConnectionOptions & { name?: string } = {}, extra: RedisOptions = {}): Redis {
  const url = options.url ?? 'redis://127.0.0.1:6379';
  const problem = checkRedisUrl(url);
  if (problem) throw new ConfigError(problem);

  return new Redis(url, {
    connectionName: options.name,
    retryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt, 10), 2000),
    maxRetriesPerRequest: 2,
    autoResendUnfulfilledCommands: false,
    lazyConnect: true,
    ...extra,
    ...options.redisOptions,
  });
}

/** Returns true for the error ioredis raises when a reply takes longer than `commandTimeout`. */
export function isCommandTimeout(error: unknown): boolean {
  return error instanceof Error && error.message === 'Command timed out';
}

/**
 * Drops and reopens a connection after one of its commands timed out. ioredis
 * keeps using a socket that stopped replying, so without this every later
 * command would time out too.
 */
export function reconnectAfterTimeout(redis: Redis, error: unknown): void {
  if (isCommandTimeout(error) && redis.status === 'ready') redis.disconnect(true);
}

/** Minimum Redis version: BLMOVE and LMOVE arrived in 6.2. */
const minimumVersion = [6, 2, 0] as const;

/** Result of the connect-time check: the version and any warning for the operator. */
export interface RedisCheck {
  version: string;
  warnings: string[];
}

/**
 * Connects (when not yet connected) and checks the server. Redis 6.2 or later
 * is required. A maxmemory-policy other than noeviction is reported, because
 * eviction would delete heartbeats and queued tasks.
 */
export async function checkRedisServer(redis: Redis, displayUrl: string): Promise<RedisCheck> {
  // A refused password arrives only as an 'error' event; the failed command itself reports a closed connection.
  let authError: string | undefined;
  const recordAuthError = (error: Error) => {
    if (/WRONGPASS|NOAUTH|NOPERM|invalid password|AUTH/i.test(error.message)) authError = error.message;
  };
  redis.on('error', recordAuthError);
  try {
    if (redis.status === 'wait') await redis.connect();
    const info = await redis.info('server');
    const version = /redis_version:([0-9.]+)/.exec(info)?.[1] ?? '0.0.0';
    if (compareVersions(version, minimumVersion) < 0) {
      throw new RedisSetupError(
        `Redis at ${displayUrl} is version ${version}; dtq-console needs 6.2 or later for BLMOVE: upgrade the server`,
      );
    }

    const warnings: string[] = [];
    const policy = await readMaxmemoryPolicy(redis);
    if (policy && policy !== 'noeviction') {
      warnings.push(
        `Redis maxmemory-policy is ${policy}: eviction can delete heartbeats and queued tasks; set it to noeviction`,
      );
    }
    return { version, warnings };
  } catch (error) {
    if (error instanceof RedisSetupError) throw error;
    if (authError?.startsWith('NOAUTH')) {
      throw new RedisSetupError(`Redis at ${displayUrl} requires a password: put it in the URL, redis://[user]:PASSWORD@host:port, through REDIS_URL or --redis-url`);
    }
    if (authError) {
      throw new RedisSetupError(`Redis at ${displayUrl} rejected the credentials (${authError}): check the user and password in --redis-url or REDIS_URL`);
    }
    throw new RedisUnreachableError(
      `cannot reach Redis at ${displayUrl}: ${(error as Error).message.replace(/\.$/, '')}. Check that the server runs and the URL (--redis-url or REDIS_URL) is right`,
    );
  } finally {
    redis.off('error', recordAuthError);
  }
}

async function readMaxmemoryPolicy(redis: Redis): Promise<string | undefined> {
  try {
    const reply = (await redis.config('GET', 'maxmemory-policy')) as string[];
    return reply[1];
  } catch {
    // Managed services often disable CONFIG; the policy then stays unknown.
    return undefined;
  }
}

function compareVersions(version: string, minimum: readonly number[]): number {
  const parts = version.split('.').map(Number);
  for (let i = 0; i < minimum.length; i++) {
    const difference = (parts[i] ?? 0) - (minimum[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
