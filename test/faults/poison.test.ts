import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { QueueFixture, startFaultRedis, type TestRedis } from '../chaos/fixture.js';
import type { CliProcess } from '../chaos/processes.js';
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

/** Keeps one worker named `name` running, restarting it each time it exits, until `stop()`. */
function keepWorkerRunning(name: string): { stop(): void } {
  let stopped = false;
  const run = (): void => {
    const worker: CliProcess = fixture.worker(name);
    void worker.exited.then(() => {
      if (!stopped) run();
    });
  };
  run();
  return { stop: () => void (stopped = true) };
}

describe('poison task', () => {
  it('is dead-lettered after killing its worker on each attempt', async () => {
    fixture = new QueueFixture(redis);
    fixture.master({ maxAttempts: 3 });
    const supervisor = keepWorkerRunning('W1');
    const id = await fixture.enqueue('crash', { ms: 10, mode: 'always' }, { maxAttempts: 3 });

    expect(await waitFor(async () => (await redis.client.llen(fixture.keys.dead)) === 1, 30_000)).toBe(true);
    const record = JSON.parse((await redis.client.lindex(fixture.keys.dead, 0)) as string) as { taskId: string; reason: string };
    expect(record.taskId).toBe(id);
    expect(record.reason).toContain('poison');
    expect(fixture.recordsOf(id, 'crash')).toHaveLength(3);

    const afterId = await fixture.enqueue('work', { ms: 10 });
    expect(await waitFor(async () => (await fixture.auditCount(afterId)) === 1, 10_000)).toBe(true);
    supervisor.stop();
    expect(await fixture.processingCount()).toBe(0);
  });

  it('is dead-lettered after throwing on each attempt', async () => {
    fixture = new QueueFixture(redis);
    fixture.master();
    fixture.worker('W1');
    const id = await fixture.enqueue('flaky', { ms: 10, failAttempts: 1000 }, { maxAttempts: 3 });

    expect(await waitFor(async () => (await redis.client.llen(fixture.keys.dead)) === 1, 20_000)).toBe(true);
    const record = JSON.parse((await redis.client.lindex(fixture.keys.dead, 0)) as string) as { taskId: string; reason: string };
    expect(record.taskId).toBe(id);
    expect(record.reason).toContain('failed 3 of 3 attempts');
    expect(fixture.recordsOf(id, 'throw')).toHaveLength(3);
    expect(await fixture.processingCount()).toBe(0);
  });
});
