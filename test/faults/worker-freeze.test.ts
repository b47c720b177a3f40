import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { QueueFixture, startFaultRedis, type TestRedis } from '../chaos/fixture.js';
import { sleep } from '../../engine/timing.js';
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

describe('worker frozen with SIGSTOP past its heartbeat TTL', () => {
  it('loses its task to another worker and never acks it', async () => {
    fixture = new QueueFixture(redis);
    fixture.master();
    const zombie = fixture.worker('W1');
    const frozenKey = await fixture.waitForRegistered('W1');
    const id = await fixture.enqueue('work', { ms: 100, firstMs: 2500 });
    expect(await fixture.waitForRecords(id, 'start')).toHaveLength(1);

    zombie.signal('SIGSTOP');
    await sleep(1800);
    const rescuer = fixture.worker('W2');
    const ends = await fixture.waitForRecords(id, 'end', 1, 10_000);
    expect(ends[0]?.workerKey.startsWith('W2:')).toBe(true);
    zombie.signal('SIGCONT');
    // Long enough for the zombie's 2.5 s first run to finish, had it not been aborted.
    await sleep(3000);

    expect(await fixture.auditCount(id)).toBe(1);
    expect(await fixture.stat('completed')).toBe(1);
    expect(fixture.recordsOf(id, 'start')).toHaveLength(2);
    expect(await redis.client.hexists(fixture.keys.workers, frozenKey as string)).toBe(0);
    expect(await fixture.processingCount()).toBe(0);

    // The zombie comes back as a new incarnation of W1 and claims again.
    expect(await fixture.waitForRegistered('W1', 5000, frozenKey)).toBeDefined();
    rescuer.signal('SIGTERM');
    await rescuer.exited;
    const nextId = await fixture.enqueue('work', { ms: 10 });
    const nextEnds = await fixture.waitForRecords(nextId, 'end', 1, 10_000);
    expect(nextEnds).toHaveLength(1);
    expect(nextEnds[0]?.workerKey.startsWith('W1:')).toBe(true);
    expect(nextEnds[0]?.workerKey).not.toBe(frozenKey);
  });
});
