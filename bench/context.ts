import type { Redis } from 'ioredis';
import type { SystemName } from './protocol.js';

/** Shared state of one benchmark run: the private server and the run's settings. */
export interface BenchContext {
  redisUrl: string;
  /** Connection for FLUSHALL, INFO and CONFIG RESETSTAT; its own commands are left out of the counts. */
  admin: Redis;
  /** Runs per case and system. */
  runs: number;
  /** Multiplies every task count; below 1 for a quick check, never for published numbers. */
  scale: number;
  log(message: string): void;
}

let queueCounter = 0;

/** Returns a queue name not used before in this run. */
export function freshQueue(label: string): string {
  queueCounter++;
  return `bench-${label}-${queueCounter}`;
}

const measuredSystems: readonly SystemName[] = ['dtq', 'bullmq', 'raw'];

/** Returns the systems in the order of run `runIndex`, rotated so that none always runs first on a fresh server. */
export function systemsInOrder(runIndex: number): SystemName[] {
  const shift = runIndex % measuredSystems.length;
  return [...measuredSystems.slice(shift), ...measuredSystems.slice(0, shift)];
}

/** Scales a task count, keeping it at least `minimum`. */
export function scaled(context: BenchContext, count: number, minimum = 100): number {
  return Math.max(minimum, Math.round(count * context.scale));
}
