import type { Redis } from 'ioredis';
import { ScriptCode } from './errors.js';
import type { QueueKeys } from './keys.js';
import { runScript } from './scripts.js';

/** Parameters of one requeue: whose list moves back to pending, on whose authority, and in what chunks. */
export interface RequeueRequest {
  workerKey: string;
  chunkSize: number;
  /** Attempts for envelopes that carry none, for poison-task detection. */
  maxAttempts: number;
  deadMaxLength: number;
  /** The master's lease token, or undefined when the worker releases its own list. */
  leaseToken?: string;
}

/** Totals of one requeue; `code` is the last script code (ok, alive or notLeader). */
export interface RequeueOutcome {
  code: number;
  /** Entries in the list when the first chunk ran. */
  heldCount: number;
  requeuedCount: number;
  deadLetteredCount: number;
}

/**
 * Moves a worker's processing list back to pending, one bounded chunk per
 * script call so no call blocks Redis for long, and deregisters the worker
 * once the list is empty. A master passes its lease token; a worker
 * releasing its own list (stop, fence) passes none and skips the heartbeat
 * check and the recovery count.
 */
export async function requeueWorkerList(redis: Redis, keys: QueueKeys, request: RequeueRequest): Promise<RequeueOutcome> {
  const { workerKey } = request;
  const selfRelease = request.leaseToken === undefined;
  const outcome: RequeueOutcome = { code: ScriptCode.ok, heldCount: -1, requeuedCount: 0, deadLetteredCount: 0 };
  for (;;) {
    const [code, moved, deadLettered, remaining] = (await runScript(
      redis,
      'requeueOrphans',
      [keys.processing(workerKey), keys.heartbeat(workerKey), keys.workers, keys.pending, keys.dead, keys.stats, keys.recoveries, keys.master],
      [workerKey, request.chunkSize, request.maxAttempts, request.leaseToken ?? '', selfRelease ? '1' : '0', Date.now(), request.deadMaxLength],
    )) as [number, number, number, number];
    outcome.code = code;
    if (code !== ScriptCode.ok) return outcome;

    if (outcome.heldCount < 0) outcome.heldCount = moved + deadLettered + remaining;
    outcome.requeuedCount += moved;
    outcome.deadLetteredCount += deadLettered;
    if (remaining === 0) return outcome;
  }
}
