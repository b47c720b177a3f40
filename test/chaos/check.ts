import type { Redis } from 'ioredis';
import { parseDeadRecord, queueKeys } from '../../engine/index.js';
import type { ExecutionRecord } from './executions.js';
import type { FaultEvent } from './lab.js';
import { poisonKinds, type EnqueuedTask } from './workload.js';

/** Everything the queue contains at the end of a soak, read key by key. */
export interface FinalState {
  pending: string[];
  /** Every processing list found by SCAN, registered worker or not. */
  processing: Map<string, string[]>;
  delayed: string[];
  dead: string[];
  stats: Record<string, number>;
  /** taskId → acks counted by the workers' audit. */
  audit: Map<string, number>;
  registeredWorkers: string[];
}

/**
 * Reads the final state. Processing lists are found with SCAN rather than
 * through the registry, so a list that no registered worker owns (stranded)
 * is still counted.
 */
export async function readFinalState(redis: Redis, queue: string): Promise<FinalState> {
  const keys = queueKeys('dtq', queue);
  const processing = new Map<string, string[]>();
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', keys.processing('*'), 'COUNT', 1000);
    cursor = next;
    for (const key of found) processing.set(key, await redis.lrange(key, 0, -1));
  } while (cursor !== '0');

  const stats = Object.fromEntries(Object.entries(await redis.hgetall(keys.stats)).map(([name, value]) => [name, Number(value)]));
  const audit = new Map(Object.entries(await redis.hgetall(keys.audit)).map(([id, count]) => [id, Number(count)]));
  return {
    pending: await redis.lrange(keys.pending, 0, -1),
    processing,
    delayed: await redis.zrange(keys.delayed, 0, -1),
    dead: await redis.lrange(keys.dead, 0, -1),
    stats,
    audit,
    registeredWorkers: await redis.hkeys(keys.workers),
  };
}

/** One task that ran more than once at the same attempt. */
export interface Duplicate {
  taskId: string;
  attempt: number;
  kind: string;
  executions: Array<{ workerKey: string; pid: number; atMs: number }>;
  /** Why each execution but the last was repeated, or 'unexplained'. */
  causes: string[];
}

/** The balance `pending + Σ processing + delayed + dead + completed == enqueued`. */
export interface Accounting {
  pending: number;
  processing: number;
  delayed: number;
  dead: number;
  completed: number;
  sum: number;
  /** Tasks the harness enqueued, as it counted them. */
  enqueued: number;
  /** The queue's own `enqueued` counter, for comparison. */
  enqueuedCounter: number;
  balanced: boolean;
}

/** What the final check found. */
export interface Verdict {
  enqueuedCount: number;
  poisonCount: number;
  ackedCount: number;
  deadLetteredCount: number;
  /** Enqueued tasks found nowhere: not acked, not dead, not waiting. */
  lostIds: string[];
  /** Tasks still pending, processing or delayed after the drain. */
  stuckIds: string[];
  /** Dead-lettered tasks that were not poison tasks. */
  wronglyDead: Array<{ taskId: string; kind: string; reason: string }>;
  /** Acked tasks without a successful execution in the log. */
  ackedWithoutExecution: string[];
  /** Enqueues whose outcome the harness does not know (Redis failed during the call). */
  uncertainCount: number;
  /** Processing lists whose worker is not registered, with entries. */
  strandedLists: string[];
  accounting: Accounting;
  duplicates: Duplicate[];
  causeCounts: Record<string, number>;
  unexplainedCount: number;
  /** Fault → next execution of a task the faulted worker was running, per such task. */
  recoveryLatenciesMs: number[];
  /** Redis restart → first execution of each worker that was working before it; infinite for a stalled worker. */
  resumeLatenciesMs: number[];
  handlerFaults: { throws: number; timeouts: number; selfKills: number };
}

/** Fault kinds that may legitimately make a task run again: each can cut a worker off while it runs a task. */
const explainingKinds: ReadonlySet<string> = new Set([
  'worker-kill',
  'worker-freeze',
  'worker-term-busy',
  'worker-term-idle',
  'client-kill',
  'client-kill-blocking',
  'client-unblock',
  'redis-kill',
  'self-kill',
]);

/**
 * Finds the fault that explains why execution `first` ran again as `again`:
 * one on the process of either, else a Redis restart. The first worker may
 * have been cut off while running the task. The second may be a frozen
 * worker that, once thawed, starts a task it had claimed just before the
 * freeze, before learning that it was declared dead. A fault counts from its
 * start until `graceMs` after its end, because a thawed or reconnected worker
 * acts for up to a heartbeat before it finds out.
 */
function findCause(first: ExecutionRecord, again: ExecutionRecord, events: readonly FaultEvent[], graceMs: number): FaultEvent | undefined {
  const overlapping = events.filter(
    (event) => explainingKinds.has(event.kind) && event.atMs <= again.atMs && (event.endAtMs ?? event.atMs) + graceMs >= first.atMs,
  );
  return (
    overlapping.find((event) => event.pid === first.pid) ??
    overlapping.find((event) => event.pid === again.pid) ??
    overlapping.find((event) => event.affectsAllWorkers)
  );
}

function collectDuplicates(records: readonly ExecutionRecord[], tasks: ReadonlyMap<string, EnqueuedTask>, events: readonly FaultEvent[], graceMs: number): { duplicates: Duplicate[]; latenciesMs: number[] } {
  const starts = new Map<string, ExecutionRecord[]>();
  for (const record of records) {
    if (record.event !== 'start') continue;
    const key = `${record.taskId}#${record.attempt}`;
    starts.set(key, [...(starts.get(key) ?? []), record]);
  }

  const duplicates: Duplicate[] = [];
  const latenciesMs: number[] = [];
  for (const group of starts.values()) {
    if (group.length < 2) continue;
    group.sort((a, b) => a.atMs - b.atMs);
    const causes: string[] = [];
    for (let i = 0; i < group.length - 1; i++) {
      const first = group[i] as ExecutionRecord;
      const again = group[i + 1] as ExecutionRecord;
      const cause = findCause(first, again, events, graceMs);
      causes.push(cause ? cause.kind : 'unexplained');
      if (cause) latenciesMs.push(again.atMs - cause.atMs);
    }
    const head = group[0] as ExecutionRecord;
    duplicates.push({
      taskId: head.taskId,
      attempt: head.attempt,
      kind: tasks.get(head.taskId)?.kind ?? 'unknown',
      executions: group.map(({ workerKey, pid, atMs }) => ({ workerKey, pid, atMs })),
      causes,
    });
  }
  return { duplicates, latenciesMs };
}

/** Task starts by other workers within the window that show work was waiting to be claimed. */
const minimumWorkForStall = 10;

/**
 * For each Redis restart, the time until each worker that was working
 * before it starts a task again. A worker that stays alive and untouched by
 * other faults for `stallMs` after the restart without starting anything,
 * while other workers started at least `minimumWorkForStall` tasks, counts
 * as stalled (infinite latency).
 */

function collectResumeLatencies(records: readonly ExecutionRecord[], events: readonly FaultEvent[], exitAtMsByPid: ReadonlyMap<number, number>, stallMs: number): number[] {
  const latenciesMs: number[] = [];
  for (const restart of events.filter((event) => event.kind === 'redis-kill' && event.endAtMs !== undefined)) {
    const restartAtMs = restart.endAtMs as number;
    const workingPids = new Set(records.filter((record) => record.event === 'start' && record.atMs >= restart.atMs - 5000 && record.atMs <= restart.atMs).map((record) => record.pid));
    const windowEndMs = restartAtMs + stallMs;
    for (const pid of workingPids) {
      const next = records.find((record) => record.event === 'start' && record.pid === pid && record.atMs >= restartAtMs);
      if (next) {
        latenciesMs.push(next.atMs - restartAtMs);
        continue;
      }
      // A worker hit by another fault, or gone, soon after the restart proves nothing about resuming.
      const hitSoon = events.some((event) => event.pid === pid && event.atMs >= restart.atMs && event.atMs <= windowEndMs);
      const exitAtMs = exitAtMsByPid.get(pid);
      // Nor does an idle stretch of the producer: only when other workers found work is starting nothing a stall.
      const othersStartedCount = records.filter((record) => record.event === 'start' && record.pid !== pid && record.atMs >= restartAtMs && record.atMs <= windowEndMs).length;
      const workWasThere = othersStartedCount >= minimumWorkForStall;
      if (!hitSoon && workWasThere && (exitAtMs === undefined || exitAtMs > windowEndMs)) latenciesMs.push(Number.POSITIVE_INFINITY);
    }
  }
  return latenciesMs;
}

function taskIdOf(entry: string): string | undefined {
  try {
    const value = JSON.parse(entry) as { id?: unknown };
    return typeof value.id === 'string' ? value.id : undefined;
  } catch {
    return undefined;
  }
}

/** Checks the final state against what the harness enqueued and what the handlers recorded. */
export function verify(input: {
  tasks: ReadonlyMap<string, EnqueuedTask>;
  uncertainCount: number;
  records: readonly ExecutionRecord[];
  events: readonly FaultEvent[];
  state: FinalState;
  exitAtMsByPid: ReadonlyMap<number, number>;
  heartbeatTtlMs: number;
}): Verdict {
  const { tasks, records, events, state } = input;
  const deadById = new Map<string, string>();
  for (const raw of state.dead) {
    const record = parseDeadRecord(raw);
    const taskId = record.taskId ?? taskIdOf(record.entry);
    if (taskId) deadById.set(taskId, record.reason);
  }
  const waiting = new Set<string>();
  for (const entry of [...state.pending, ...state.delayed, ...[...state.processing.values()].flat()]) {
    const taskId = taskIdOf(entry);
    if (taskId) waiting.add(taskId);
  }
  const succeeded = new Set(records.filter((record) => record.event === 'end').map((record) => record.taskId));

  const lostIds: string[] = [];
  const stuckIds: string[] = [];
  const wronglyDead: Verdict['wronglyDead'] = [];
  const ackedWithoutExecution: string[] = [];
  let ackedCount = 0;
  for (const task of tasks.values()) {
    const acked = (state.audit.get(task.id) ?? 0) > 0;
    const deadReason = deadById.get(task.id);
    if (acked) ackedCount++;
    if (acked && !succeeded.has(task.id)) ackedWithoutExecution.push(task.id);
    if (deadReason !== undefined && !poisonKinds.has(task.kind)) wronglyDead.push({ taskId: task.id, kind: task.kind, reason: deadReason });
    if (waiting.has(task.id)) stuckIds.push(task.id);
    else if (!acked && deadReason === undefined) lostIds.push(task.id);
  }

  const processingCount = [...state.processing.values()].reduce((sum, list) => sum + list.length, 0);
  const accounting: Accounting = {
    pending: state.pending.length,
    processing: processingCount,
    delayed: state.delayed.length,
    dead: state.dead.length,
    completed: state.stats.completed ?? 0,
    sum: 0,
    enqueued: tasks.size,
    enqueuedCounter: state.stats.enqueued ?? 0,
    balanced: false,
  };
  accounting.sum = accounting.pending + accounting.processing + accounting.delayed + accounting.dead + accounting.completed;
  accounting.balanced = accounting.sum === accounting.enqueued && accounting.enqueuedCounter === accounting.enqueued;

  const registered = new Set(state.registeredWorkers);
  const strandedLists = [...state.processing.entries()]
    .filter(([key, list]) => list.length > 0 && ![...registered].some((workerKey) => key.endsWith(`:processing:${workerKey}`)))
    .map(([key]) => key);

  const { duplicates, latenciesMs } = collectDuplicates(records, tasks, events, input.heartbeatTtlMs + 2000);
  const causeCounts: Record<string, number> = {};
  for (const duplicate of duplicates) for (const cause of duplicate.causes) causeCounts[cause] = (causeCounts[cause] ?? 0) + 1;

  const poisonCount = [...tasks.values()].filter((task) => poisonKinds.has(task.kind)).length;
  return {
    enqueuedCount: tasks.size,
    poisonCount,
    ackedCount,
    deadLetteredCount: deadById.size,
    lostIds,
    stuckIds,
    wronglyDead,
    ackedWithoutExecution,
    uncertainCount: input.uncertainCount,
    strandedLists,
    accounting,
    duplicates,
    causeCounts,
    unexplainedCount: causeCounts.unexplained ?? 0,
    recoveryLatenciesMs: latenciesMs,
    resumeLatenciesMs: collectResumeLatencies(records, events, input.exitAtMsByPid, 10_000),
    handlerFaults: {
      throws: records.filter((record) => record.event === 'throw').length,
      timeouts: records.filter((record) => record.event === 'abort' && tasks.get(record.taskId)?.kind.includes('hang')).length,
      selfKills: records.filter((record) => record.event === 'crash').length,
    },
  };
}

/** True when the soak found nothing wrong. */
export function passed(verdict: Verdict): boolean {
  return (
    verdict.lostIds.length === 0 &&
    verdict.stuckIds.length === 0 &&
    verdict.wronglyDead.length === 0 &&
    verdict.ackedWithoutExecution.length === 0 &&
    verdict.uncertainCount === 0 &&
    verdict.strandedLists.length === 0 &&
    verdict.accounting.balanced &&
    verdict.unexplainedCount === 0 &&
    verdict.resumeLatenciesMs.every((latencyMs) => Number.isFinite(latencyMs))
  );
}
