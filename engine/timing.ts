import { setTimeout as delay } from 'node:timers/promises';

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return delay(ms).then(() => undefined);
}

/**
 * Resolves after `ms` milliseconds, or rejects with the signal's reason as
 * soon as it aborts: a handler's sleep that stops when its task times out or
 * its worker stops.
 */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).then(
    () => undefined,
    (error: unknown) => {
      throw signal.aborted ? signal.reason : error;
    },
  );
}

/**
 * Delay before retry number `attempt` (1 after the first failure): the base
 * doubled per attempt, capped, plus up to 25 % random jitter so tasks that
 * failed together do not all retry in the same instant.
 */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential * (1 + 0.25 * random()));
}

/**
 * Waits for `promise` to settle or `ms` to pass, whichever comes first, and
 * clears its timer either way, so a finished wait keeps no process alive.
 * A rejection counts as settled; the error is dropped.
 */
export async function waitUpTo(promise: Promise<unknown> | undefined, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const elapsed = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, ms));
  });
  try {
    await Promise.race([Promise.resolve(promise).then(() => undefined, () => undefined), elapsed]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves like `promise`, or rejects with a timeout error after `ms`; the timer is cleared either way. */
export async function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
