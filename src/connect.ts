import type { Redis } from 'ioredis';
import { checkRedisServer, createRedis, RedisUnreachableError, type RedisCheck } from '../engine/index.js';
import { sleep } from '../engine/timing.js';
import { findRedis, type RedisTarget } from './embedded.js';
import type { Config } from './config.js';

/** An open, checked connection for a short command (enqueue, status, admin). */
export interface Connection {
  redis: Redis;
  target: RedisTarget;
  check: RedisCheck;
}

/** Finds the Redis of `config`, connects and checks its version; throws a message saying what to do. */
export async function connectForCommand(config: Config, target?: RedisTarget): Promise<Connection> {
  const chosen = target ?? (await findRedis(config));
  const redis = createRedis({ url: chosen.url, name: 'dtq-cli' }, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => {
    // Reported by checkRedisServer or by the failing command.
  });
  const check = await checkRedisServer(redis, chosen.displayUrl);
  return { redis, target: chosen, check };
}

/** How long the long-running modes (worker, --no-ui) wait for Redis at startup before they exit 1. */
export const startupWaitMs = 30_000;

/**
 * Runs `check` until Redis replies, for up to `waitMs`: a worker or master
 * started while Redis restarts (a deploy, a failover) should wait for it, not
 * exit. A wrong password, an old server or any other error fails at once.
 */
export async function retryWhileUnreachable<T>(check: () => Promise<T>, waitMs: number, onRetry: (message: string, retryInMs: number) => void): Promise<T> {
  const deadlineMs = Date.now() + waitMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await check();
    } catch (error) {
      const retryInMs = Math.min(250 * 2 ** Math.min(attempt - 1, 3), 2000);
      if (!(error instanceof RedisUnreachableError) || Date.now() + retryInMs > deadlineMs) throw error;
      onRetry(error.message, retryInMs);
      await sleep(retryInMs);
    }
  }
}
