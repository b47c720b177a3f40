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

describe('SCRIPT FLUSH while tasks flow', () => {
  it('keeps claiming and acking every task', async () => {
    fixture = new QueueFixture(redis);
    fixture.master();
    fixture.worker('W1', { concurrency: 4 });
    const ids = await fixture.producer.enqueueBulk(Array.from({ length: 200 }, () => ({ name: 'work', payload: { ms: 10 } })));
    expect(await waitFor(() => fixture.records().filter((record) => record.event === 'end').length >= 50)).toBe(true);

    await redis.client.script('FLUSH');

    expect(await waitFor(async () => (await fixture.stat('completed')) === 200, 20_000)).toBe(true);
    const audit = await redis.client.hgetall(fixture.keys.audit);
    for (const id of ids) expect(audit[id], `audit count of ${id}`).toBe('1');
    expect(await redis.client.llen(fixture.keys.dead)).toBe(0);
    expect(await fixture.processingCount()).toBe(0);
  });
});
