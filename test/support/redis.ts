import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServerHandle, type RedisServerOptions } from '../../src/redis-server.js';

let queueCounter = 0;

/** Returns a fresh queue name per test, so tests on one server never share keys. */
export function freshQueueName(label = 'q'): string {
  queueCounter++;
  return `${label}-${process.pid}-${queueCounter}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Starts a private redis-server for one suite, in a temporary folder removed on cleanup. */
export async function startTestRedis(options: Partial<RedisServerOptions> = {}): Promise<RedisServerHandle & { client: Redis; cleanup(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'dtq-test-redis-'));
  const server = await startRedisServer({ appendOnly: false, ...options, dir });
  const client = new Redis(server.url, { maxRetriesPerRequest: 3, retryStrategy: () => 100 });
  client.on('error', () => undefined);
  return Object.assign(server, {
    client,
    async cleanup() {
      client.disconnect();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  });
}

/** Polls `condition` every 25 ms until it is true or `timeoutMs` passes; returns its last value. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return condition();
}
