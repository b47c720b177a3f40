import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newTaskId } from '../../engine/index.js';
import { QueueFixture, startFaultRedis, type TestRedis } from '../chaos/fixture.js';
import { waitFor } from '../support/redis.js';

let redis: TestRedis;
let fixture: QueueFixture;
beforeAll(async () => {
  redis = await startFaultRedis();
});
afterEach(async () => {
  await fixture.cleanup();
});
afterAll(async () => {
  await redis.cleanup();
});

const orphanCount = 50_000;
// Measured on a 2-core machine: one script moving all 50 000 entries took about 335 ms, so a 500-entry chunk takes about 3 ms.
const slowCommandMicros = 50_000;

describe('requeue of a dead worker holding 50 000 tasks', () => {
  it('runs no script over 50 ms and keeps live workers alive', async () => {
    fixture = new QueueFixture(redis);
    // A dead worker: registered, no heartbeat, a long processing list.
    const deadKey = 'Ghost:0123456789ab';
    await redis.client.hset(fixture.keys.workers, deadKey, JSON.stringify({ name: 'Ghost', pid: 1, concurrency: orphanCount }));
    for (let start = 0; start < orphanCount; start += 1000) {
      const envelopes = Array.from({ length: 1000 }, () => JSON.stringify({ id: newTaskId(), name: 'work', payload: { ms: 0 }, attempt: 1, maxAttempts: 5, enqueuedAt: Date.now() }));
      await redis.client.rpush(fixture.keys.processing(deadKey), ...envelopes);
    }
    // Paused: the live worker heartbeats but claims nothing, so pending only grows.
    await redis.client.set(fixture.keys.paused, '1');
    fixture.worker('W1', { heartbeatMs: 300, heartbeatTtlMs: 1000 });
    const liveKey = await fixture.waitForRegistered('W1');
    await redis.client.config('SET', 'slowlog-log-slower-than', String(slowCommandMicros));
    await redis.client.slowlog('RESET');

    fixture.master();
    expect(await waitFor(async () => (await redis.client.llen(fixture.keys.pending)) === orphanCount, 30_000)).toBe(true);

    const slowScripts = ((await redis.client.slowlog('GET', 128)) as Array<[number, number, number, string[]]>).filter(([, , , command]) => /^(evalsha|eval|fcall)$/i.test(command[0] ?? ''));
    expect(slowScripts.map(([, , micros, command]) => `${command[0]} ${micros} us`)).toEqual([]);
    expect(await redis.client.hexists(fixture.keys.workers, deadKey)).toBe(0);
    expect(await redis.client.hexists(fixture.keys.workers, liveKey as string)).toBe(1);
    expect(await fixture.stat('recovered')).toBe(orphanCount);
    await redis.client.config('SET', 'slowlog-log-slower-than', '10000');
  });
});
