/**
 * The baseline both queues are measured against: the bare reliable-queue
 * pattern in plain ioredis, with no heartbeat, registry, stats or envelope
 * checks. Each slot claims with LMOVE (BLMOVE on a second connection once
 * pending is empty) and acks with LREM, and auto-pipelining batches the calls
 * of all slots. It shows how close an engine gets to what Redis and one
 * client library allow on the same machine.
 */
import { Redis } from 'ioredis';

/** Keys of one baseline queue, named like dtq-console's so the lists behave alike. */
export function rawKeys(queue: string): { pending: string; processing: string } {
  return { pending: `raw:{${queue}}:pending`, processing: `raw:{${queue}}:processing:${process.pid}` };
}

/** Pushes `count` small JSON payloads onto the baseline queue, 1,000 per LPUSH. */
export async function pushRaw(redis: Redis, queue: string, count: number, name: string): Promise<void> {
  const { pending } = rawKeys(queue);
  const calls: Promise<number>[] = [];
  for (let start = 0; start < count; start += 1000) {
    const batch: string[] = [];
    for (let n = start; n < Math.min(count, start + 1000); n++) batch.push(JSON.stringify({ name, payload: { n } }));
    calls.push(redis.lpush(pending, ...batch));
  }
  await Promise.all(calls);
}

/** The two connections of a baseline worker: one auto-pipelined for LMOVE and LREM, one for BLMOVE. */
export interface RawConnections {
  redis: Redis;
  blocking: Redis;
}

/** Opens and connects the baseline worker's connections, so connecting is not timed. */
export async function openRawConnections(redisUrl: string): Promise<RawConnections> {
  const redis = new Redis(redisUrl, { enableAutoPipelining: true, lazyConnect: true });
  const blocking = new Redis(redisUrl, { lazyConnect: true });
  await Promise.all([redis.connect(), blocking.connect()]);
  return { redis, blocking };
}

/** Runs `concurrency` claim-and-ack loops with a no-op handler until stop() is called. */
export function startRawLoops(connections: RawConnections, queue: string, concurrency: number, onCompleted: () => void): { stop(): Promise<void> } {
  const { pending, processing } = rawKeys(queue);
  const { redis, blocking } = connections;
  let running = true;

  const loop = async () => {
    while (running) {
      const raw = (await redis.lmove(pending, processing, 'RIGHT', 'LEFT')) ?? (await blocking.blmove(pending, processing, 'RIGHT', 'LEFT', 1));
      if (raw === null) continue;
      JSON.parse(raw);
      await redis.lrem(processing, -1, raw);
      onCompleted();
    }
  };
  const loops = Array.from({ length: concurrency }, () => loop().catch(() => undefined));

  return {
    stop: async () => {
      running = false;
      blocking.disconnect();
      await Promise.race([Promise.all(loops), new Promise((resolve) => setTimeout(resolve, 1000))]);
      redis.disconnect();
    },
  };
}
