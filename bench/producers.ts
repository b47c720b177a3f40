import { Queue } from 'bullmq';
import { Producer } from '../engine/index.js';
import { Redis } from 'ioredis';
import type { SystemName } from './protocol.js';
import { pushRaw } from './raw-loop.js';

/** Bulk enqueue through each system's own bulk call, with the same task name and payload for both. */
export interface BenchProducer {
  /** Enqueues `count` tasks named `name`, each with the payload `{ n: index }`. */
  enqueue(count: number, name: string): Promise<void>;
  close(): Promise<void>;
}

/** Opens a producer of `system` on `queue` and sends one warm-up command, so the first timed call pays no connect. */
export async function openProducer(system: SystemName, redisUrl: string, queue: string): Promise<BenchProducer> {
  const open = { dtq: openDtqProducer, bullmq: openBullProducer, raw: openRawProducer }[system];
  const producer = open(redisUrl, queue);
  await producer.warmUp();
  return producer;
}

function openDtqProducer(redisUrl: string, queue: string): BenchProducer & { warmUp(): Promise<void> } {
  const producer = new Producer({ url: redisUrl, queue });
  return {
    warmUp: async () => {
      await producer.redis.connect();
      await producer.redis.ping();
    },
    enqueue: async (count, name) => {
      await producer.enqueueBulk(Array.from({ length: count }, (_, n) => ({ name, payload: { n } })));
    },
    close: () => producer.close(),
  };
}

function openRawProducer(redisUrl: string, queue: string): BenchProducer & { warmUp(): Promise<void> } {
  const redis = new Redis(redisUrl, { enableAutoPipelining: true, lazyConnect: true });
  return {
    warmUp: async () => {
      await redis.connect();
      await redis.ping();
    },
    enqueue: (count, name) => pushRaw(redis, queue, count, name),
    close: async () => {
      await redis.quit();
    },
  };
}

function openBullProducer(redisUrl: string, queue: string): BenchProducer & { warmUp(): Promise<void> } {
  const url = new URL(redisUrl);
  const bullQueue = new Queue(queue, { connection: { host: url.hostname, port: Number(url.port), maxRetriesPerRequest: null } });
  return {
    warmUp: async () => {
      await bullQueue.waitUntilReady();
    },
    enqueue: async (count, name) => {
      await bullQueue.addBulk(Array.from({ length: count }, (_, n) => ({ name, data: { n }, opts: { removeOnComplete: true } })));
    },
    close: () => bullQueue.close(),
  };
}
