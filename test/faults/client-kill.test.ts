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

/** Waits until W1's claim connection blocks in BLMOVE and returns its client id. */
async function blockedClaimId(): Promise<string | undefined> {
  let id: string | undefined;
  await waitFor(async () => {
    id = (await fixture.clients('dtq-worker-W1-claim')).find((client) => client.cmd === 'blmove' && client.flags.includes('b'))?.id;
    return id !== undefined;
  });
  return id;
}

describe('worker connection cut by Redis', () => {
  it('claims again after CLIENT KILL of its blocking connection', async () => {
    fixture = new QueueFixture(redis);
    fixture.worker('W1');
    const claimId = await blockedClaimId();
    expect(claimId).toBeDefined();

    await redis.client.client('KILL', 'ID', claimId as string);
    const id = await fixture.enqueue('work', { ms: 10 });

    const starts = await fixture.waitForRecords(id, 'start', 1, 10_000);
    expect(starts).toHaveLength(1);
  });

  it('claims again after an UNBLOCKED error', async () => {
    fixture = new QueueFixture(redis);
    fixture.worker('W1');
    const claimId = await blockedClaimId();
    expect(claimId).toBeDefined();

    expect(await redis.client.client('UNBLOCK', claimId as string, 'ERROR')).toBe(1);
    const id = await fixture.enqueue('work', { ms: 10 });

    const starts = await fixture.waitForRecords(id, 'start', 1, 10_000);
    expect(starts).toHaveLength(1);
  });

  it('acks a task once after CLIENT KILL of its main connection', async () => {
    fixture = new QueueFixture(redis);
    fixture.worker('W1');
    const id = await fixture.enqueue('work', { ms: 1500 });
    expect(await fixture.waitForRecords(id, 'start')).toHaveLength(1);

    const [main] = await fixture.clients('dtq-worker-W1');
    expect(main).toBeDefined();
    await redis.client.client('KILL', 'ID', main!.id);

    expect(await waitFor(async () => (await fixture.auditCount(id)) === 1, 10_000)).toBe(true);
    expect(fixture.recordsOf(id, 'start')).toHaveLength(1);
    expect(await fixture.stat('completed')).toBe(1);
    expect(await fixture.processingCount()).toBe(0);
  });
});
