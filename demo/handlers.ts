/**
 * Lab handlers for the console and the demos. `dtq-console worker` runs these
 * when no --handlers module is given.
 */
import { sleepUnlessAborted, type TaskContext } from '../engine/index.js';

interface DurationPayload {
  /** Run time in ms. @default 200 */
  ms?: number;
}

function durationOf(payload: unknown, fallbackMs: number): number {
  const ms = (payload as DurationPayload | null)?.ms;
  return typeof ms === 'number' && ms >= 0 ? ms : fallbackMs;
}

const handlers = {
  /** Sleeps `payload.ms` (default 200). */
  async sleep(payload: DurationPayload | null, context: TaskContext): Promise<void> {
    await sleepUnlessAborted(durationOf(payload, 200), context.signal);
  },

  /** Keeps a core busy for `payload.ms` (default 50), yielding every 10 ms so heartbeats go on. */
  async cpu(payload: DurationPayload | null, context: TaskContext): Promise<number> {
    const endMs = Date.now() + durationOf(payload, 50);
    let spins = 0;
    while (Date.now() < endMs) {
      const sliceEndMs = Math.min(endMs, Date.now() + 10);
      while (Date.now() < sliceEndMs) spins++;
      if (context.signal.aborted) throw context.signal.reason;
      await new Promise((resolve) => setImmediate(resolve));
    }
    return spins;
  },

  /** Sleeps `payload.ms` (default 100), then fails with probability `payload.rate` (default 0.3). */
  async flaky(payload: (DurationPayload & { rate?: number }) | null, context: TaskContext): Promise<void> {
    await sleepUnlessAborted(durationOf(payload, 100), context.signal);
    const rate = typeof payload?.rate === 'number' ? payload.rate : 0.3;
    if (Math.random() < rate) throw new Error(`flaky task failed on attempt ${context.attempt} (failure rate ${rate})`);
  },

  /** Kills its own worker process with SIGKILL: a poison task. */
  async crash(): Promise<never> {
    process.kill(process.pid, 'SIGKILL');
    return new Promise<never>(() => undefined);
  },

  /** Returns its payload. */
  async echo(payload: unknown): Promise<unknown> {
    return payload;
  },
};

export default handlers;
