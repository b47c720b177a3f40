import { Producer, type TaskRequest } from '../../engine/index.js';
import type { CrashPayload, FlakyPayload, HangPayload, WorkPayload } from './handlers.js';
import { SeededRandom } from './random.js';

/** What a task is meant to do, which decides where it must end up. */
export type TaskKind = 'work' | 'flaky' | 'hang-once' | 'crash-once' | 'poison-throw' | 'poison-hang' | 'poison-crash';

/** Kinds that can never succeed: they must end in dead-letter, every other kind must be acked. */
export const poisonKinds: ReadonlySet<TaskKind> = new Set<TaskKind>(['poison-throw', 'poison-hang', 'poison-crash']);

/** Attempts of a poison task: few, so it reaches dead-letter soon. */
export const poisonMaxAttempts = 3;

/** Handler timeout carried in the envelope of every hang task, in ms: it overrides the worker's default. */
export const hangTimeoutMs = 1000;

/** One task the harness enqueued, as the harness remembers it. */
export interface EnqueuedTask {
  id: string;
  kind: TaskKind;
  maxAttempts: number;
  enqueuedAtMs: number;
}

/** Builds the request of one task of `kind`. */
export function taskRequest(kind: TaskKind, random: SeededRandom): TaskRequest {
  switch (kind) {
    case 'work':
      return { name: 'work', payload: { ms: random.integer(10, 200) } satisfies WorkPayload, options: { maxAttempts: 5 } };
    case 'flaky':
      return { name: 'flaky', payload: { ms: random.integer(10, 80), failAttempts: random.integer(1, 2) } satisfies FlakyPayload, options: { maxAttempts: 5 } };
    case 'hang-once':
      return { name: 'hang', payload: { ms: 50, hangAttempts: 1 } satisfies HangPayload, options: { maxAttempts: 5, timeoutMs: hangTimeoutMs } };
    case 'crash-once':
      return { name: 'crash', payload: { ms: 50, mode: 'once' } satisfies CrashPayload, options: { maxAttempts: 5 } };
    case 'poison-throw':
      return { name: 'flaky', payload: { ms: 20, failAttempts: 1000 } satisfies FlakyPayload, options: { maxAttempts: poisonMaxAttempts } };
    case 'poison-hang':
      return { name: 'hang', payload: { ms: 50, hangAttempts: 1000 } satisfies HangPayload, options: { maxAttempts: poisonMaxAttempts, timeoutMs: hangTimeoutMs } };
    case 'poison-crash':
      return { name: 'crash', payload: { ms: 50, mode: 'always' } satisfies CrashPayload, options: { maxAttempts: poisonMaxAttempts } };
  }
}

/** Picks a kind of the steady mix: mostly plain work, with a few tasks that throw, hang or crash once and then succeed. */
function pickSteadyKind(random: SeededRandom): TaskKind {
  const roll = random.next();
  if (roll < 0.04) return 'flaky';
  if (roll < 0.055) return 'hang-once';
  if (roll < 0.0565) return 'crash-once';
  return 'work';
}

/** A stretch of the production plan: tasks flow during active stretches, and the queue drains in idle ones. */
interface Stretch {
  startMs: number;
  endMs: number;
  active: boolean;
}

function planStretches(random: SeededRandom, durationMs: number): Stretch[] {
  const stretches: Stretch[] = [];
  let startMs = 0;
  let active = true;
  while (startMs < durationMs) {
    const lengthMs = active ? random.integer(3000, 8000) : random.integer(800, 2000);
    stretches.push({ startMs, endMs: Math.min(durationMs, startMs + lengthMs), active });
    startMs += lengthMs;
    active = !active;
  }
  return stretches;
}

/**
 * Enqueues `taskCount` tasks over `durationMs`, in batches every 100 ms,
 * pausing in idle stretches. hold() stops it between two batches, so no
 * enqueue is in flight when the soak kills Redis: an enqueue whose reply was
 * lost would leave the harness unsure whether the task exists.
 */
export class Workload {
  readonly tasks = new Map<string, EnqueuedTask>();
  /** Ids of batches whose enqueue failed with an unknown outcome. */
  readonly uncertainIds = new Set<string>();
  private readonly random: SeededRandom;
  private readonly stretches: Stretch[];
  private readonly activeMs: number;
  private holdCount = 0;
  private inFlight: Promise<void> = Promise.resolve();
  private steadyCount = 0;
  private stopped = false;

  constructor(private readonly producer: Producer, seed: string, private readonly taskCount: number, private readonly durationMs: number, private readonly log: (line: string) => void) {
    this.random = new SeededRandom(seed).fork('tasks');
    this.stretches = planStretches(this.random.fork('stretches'), durationMs);
    this.activeMs = this.stretches.filter((stretch) => stretch.active).reduce((sum, stretch) => sum + stretch.endMs - stretch.startMs, 0);
  }

  /** Tasks the plan wants enqueued by `elapsedMs`. */
  private targetCount(elapsedMs: number): number {
    let activeBeforeMs = 0;
    for (const stretch of this.stretches) {
      if (!stretch.active || stretch.startMs >= elapsedMs) continue;
      activeBeforeMs += Math.min(elapsedMs, stretch.endMs) - stretch.startMs;
    }
    return Math.min(this.taskCount, Math.ceil((this.taskCount * activeBeforeMs) / Math.max(1, this.activeMs)));
  }

  /** Runs the plan to its end; resolves when every steady task is enqueued or stop() was called. */
  async run(startMs: number): Promise<void> {
    while (!this.stopped && this.steadyCount < this.taskCount) {
      await sleep(100);
      if (this.holdCount > 0) continue;
      const dueCount = this.targetCount(Date.now() - startMs) - this.steadyCount;
      if (dueCount <= 0) continue;
      const kinds = Array.from({ length: Math.min(dueCount, 500) }, () => pickSteadyKind(this.random));
      this.steadyCount += kinds.length;
      await this.enqueue(kinds);
    }
  }

  stop(): void {
    this.stopped = true;
  }

  /** Enqueues tasks of the given kinds now, as one batch. */
  enqueue(kinds: readonly TaskKind[]): Promise<void> {
    const next = this.inFlight.then(() => this.enqueueBatch(kinds));
    this.inFlight = next.catch(() => undefined);
    return next;
  }

  private async enqueueBatch(kinds: readonly TaskKind[]): Promise<void> {
    const requests = kinds.map((kind) => taskRequest(kind, this.random));
    const enqueuedAtMs = Date.now();
    try {
      const ids = await this.producer.enqueueBulk(requests);
      ids.forEach((id, index) => {
        const kind = kinds[index] as TaskKind;
        this.tasks.set(id, { id, kind, maxAttempts: requests[index]?.options?.maxAttempts ?? 5, enqueuedAtMs });
      });
    } catch (error) {
      // The ids are not returned on failure, so the batch is only counted; the check reports it.
      this.log(`enqueue of ${kinds.length} task(s) failed with an unknown outcome: ${(error as Error).message}`);
      for (let i = 0; i < kinds.length; i++) this.uncertainIds.add(`unknown-${enqueuedAtMs}-${i}`);
    }
  }

  /** Stops enqueueing and waits for the batch in flight; release() undoes it. */
  async hold(): Promise<void> {
    this.holdCount++;
    await this.inFlight;
  }

  release(): void {
    this.holdCount = Math.max(0, this.holdCount - 1);
  }

  /** True once every steady task of the plan is enqueued. */
  get done(): boolean {
    return this.steadyCount >= this.taskCount;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
