/**
 * Handlers of the chaos soak and the fault tests. Each records every
 * execution outside Redis, one JSON line per event in
 * `$DTQ_CHAOS_DIR/executions.ndjson`, so the final check never has to trust
 * the queue's own counters.
 *
 * Each line is one write(2) on a file opened with O_APPEND: it survives the
 * SIGKILL of the worker right after (the page cache belongs to the kernel),
 * and lines of concurrent worker processes never interleave.
 */
import { mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { sleepUnlessAborted, type TaskContext } from '../../engine/index.js';

/** What a handler wrote: `start` when it began, then one of the others, unless its process died first. */
export type ExecutionEvent = 'start' | 'end' | 'throw' | 'abort' | 'crash';

/** One line of the execution log. */
export interface ExecutionRecord {
  event: ExecutionEvent;
  taskId: string;
  attempt: number;
  /** The worker incarnation that ran it. */
  workerKey: string;
  pid: number;
  atMs: number;
}

/** Payloads of the soak's task names. */
export interface WorkPayload {
  /** Run time in ms. */
  ms: number;
  /** Run time of the task's first execution only, in ms, so a test can cut a long first run short. */
  firstMs?: number;
}
export interface FlakyPayload extends WorkPayload {
  /** Attempts that throw before one succeeds; at least maxAttempts makes a poison task. */
  failAttempts: number;
}
export interface HangPayload extends WorkPayload {
  /** Attempts that never settle before one runs `ms` and succeeds; at least maxAttempts makes a poison task. */
  hangAttempts: number;
}
export interface CrashPayload extends WorkPayload {
  /** 'always' kills the worker on every execution (a poison task); 'once' only on the first. */
  mode: 'always' | 'once';
}

const chaosDir = process.env.DTQ_CHAOS_DIR;
if (!chaosDir) throw new Error('DTQ_CHAOS_DIR is not set: the chaos handlers need a folder for their execution log');
const markerDir = join(chaosDir, 'markers');
mkdirSync(markerDir, { recursive: true });
const logFd = openSync(join(chaosDir, 'executions.ndjson'), 'a');

function record(event: ExecutionEvent, context: TaskContext): void {
  const line: ExecutionRecord = { event, taskId: context.taskId, attempt: context.attempt, workerKey: context.workerKey, pid: process.pid, atMs: Date.now() };
  writeSync(logFd, `${JSON.stringify(line)}\n`);
}

/** Runs `body` between a start record and its outcome record. */
async function recorded(context: TaskContext, body: () => Promise<void>): Promise<void> {
  record('start', context);
  try {
    await body();
  } catch (error) {
    record(context.signal.aborted ? 'abort' : 'throw', context);
    throw error;
  }
  record('end', context);
}

/**
 * True only for the first execution of a task on this machine: creating the
 * marker file with O_EXCL fails for every later one, whichever worker runs it.
 */
function firstExecution(taskId: string): boolean {
  try {
    openSync(join(markerDir, taskId), 'wx');
    return true;
  } catch {
    return false;
  }
}

const handlers = {
  /** Sleeps `payload.ms`, or `payload.firstMs` on the task's first execution when set. */
  async work(payload: WorkPayload, context: TaskContext): Promise<void> {
    const first = payload.firstMs !== undefined && firstExecution(context.taskId);
    await recorded(context, () => sleepUnlessAborted(first ? (payload.firstMs as number) : payload.ms, context.signal));
  },

  /** Throws on the first `failAttempts` attempts, then sleeps `payload.ms`. */
  async flaky(payload: FlakyPayload, context: TaskContext): Promise<void> {
    await recorded(context, async () => {
      await sleepUnlessAborted(payload.ms, context.signal);
      if (context.attempt <= payload.failAttempts) throw new Error(`flaky task failed on purpose on attempt ${context.attempt}`);
    });
  },

  /**
   * Never settles on the first `hangAttempts` attempts, and ignores its
   * signal, so only the worker's task timeout can free the slot. It records
   * `abort` when the signal fires.
   */
  async hang(payload: HangPayload, context: TaskContext): Promise<void> {
    record('start', context);
    if (context.attempt <= payload.hangAttempts) {
      context.signal.addEventListener('abort', () => record('abort', context), { once: true });
      return new Promise<void>(() => undefined);
    }
    try {
      await sleepUnlessAborted(payload.ms, context.signal);
    } catch (error) {
      record('abort', context);
      throw error;
    }
    record('end', context);
  },

  /** Kills its own worker process with SIGKILL, on every execution or on the first only. */
  async crash(payload: CrashPayload, context: TaskContext): Promise<void> {
    record('start', context);
    if (payload.mode === 'always' || firstExecution(context.taskId)) {
      record('crash', context);
      process.kill(process.pid, 'SIGKILL');
      return new Promise<void>(() => undefined);
    }
    try {
      await sleepUnlessAborted(payload.ms, context.signal);
    } catch (error) {
      record('abort', context);
      throw error;
    }
    record('end', context);
  },
};

export default handlers;
