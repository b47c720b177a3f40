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

describe('master killed with SIGKILL', () => {
  it('leaves orphaned tasks to its restarted successor', async () => {
    fixture = new QueueFixture(redis);
    const master = fixture.master();
    const worker = fixture.worker('W1');
    const id = await fixture.enqueue('work', { ms: 50, firstMs: 60_000 });
    expect(await fixture.waitForRecords(id, 'start')).toHaveLength(1);

    master.signal('SIGKILL');
    await master.exited;
    worker.signal('SIGKILL');
    await worker.exited;
    await sleep(2000);
    // No master runs: the task waits in the dead worker's list.
    expect(await fixture.processingCount()).toBe(1);

    fixture.master();
    fixture.worker('W2');
    const ends = await fixture.waitForRecords(id, 'end', 1, 15_000);
    expect(ends).toHaveLength(1);
    expect(await waitFor(async () => (await fixture.auditCount(id)) === 1)).toBe(true);
    expect(await fixture.stat('recovered')).toBe(1);
  });
});

describe('two masters at once', () => {
  it('requeue a dead worker once', async () => {
    fixture = new QueueFixture(redis);
    fixture.master({}, 'first');
    fixture.master({}, 'second');
    const worker = fixture.worker('W1', { concurrency: 3 });
    const ids = await Promise.all([1, 2, 3].map(() => fixture.enqueue('work', { ms: 50, firstMs: 60_000 })));
    for (const id of ids) expect(await fixture.waitForRecords(id, 'start')).toHaveLength(1);

    worker.signal('SIGKILL');
    await worker.exited;
    fixture.worker('W2', { concurrency: 3 });

    for (const id of ids) expect(await fixture.waitForRecords(id, 'end', 1, 15_000)).toHaveLength(1);
    await sleep(1000);
    for (const id of ids) expect(fixture.recordsOf(id, 'start')).toHaveLength(2);
    for (const id of ids) expect(await fixture.auditCount(id)).toBe(1);
    expect(await fixture.stat('recovered')).toBe(3);
    expect(await redis.client.llen(fixture.keys.pending)).toBe(0);
  });
});
