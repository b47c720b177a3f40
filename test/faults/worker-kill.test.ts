import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
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

describe('worker killed with SIGKILL mid-task', () => {
  it('reruns its tasks on a replacement with the same name', async () => {
    fixture = new QueueFixture(redis);
    fixture.master();
    const first = fixture.worker('W1', { concurrency: 2 });
    const ids = [await fixture.enqueue('work', { ms: 50, firstMs: 60_000 }), await fixture.enqueue('work', { ms: 50, firstMs: 60_000 })];
    for (const id of ids) expect(await fixture.waitForRecords(id, 'start')).toHaveLength(1);
    const killedKey = fixture.recordsOf(ids[0] as string, 'start')[0]?.workerKey;

    first.signal('SIGKILL');
    await first.exited;
    fixture.worker('W1', { concurrency: 2 });

    for (const id of ids) {
      const ends = await fixture.waitForRecords(id, 'end', 1, 15_000);
      expect(ends).toHaveLength(1);
      expect(ends[0]?.workerKey.startsWith('W1:')).toBe(true);
      expect(ends[0]?.workerKey).not.toBe(killedKey);
      expect(fixture.recordsOf(id, 'start')).toHaveLength(2);
    }
    // The handler records its end just before the worker acks, so wait for the acks.
    expect(await waitFor(async () => (await fixture.stat('completed')) === 2)).toBe(true);
    for (const id of ids) expect(await fixture.auditCount(id)).toBe(1);
    expect(await fixture.stat('recovered')).toBe(2);
    expect(await fixture.stat('completed')).toBe(2);
    expect(await redis.client.llen(fixture.keys.dead)).toBe(0);
    expect(await fixture.processingCount()).toBe(0);
  });
});
