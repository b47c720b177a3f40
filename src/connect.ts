import type { Redis } from 'ioredis';
import { checkRedisServer, createRedis, type RedisCheck } from '../engine/index.js';
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
