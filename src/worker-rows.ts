import type { WorkerSnapshot } from '../engine/index.js';
import type { SupervisedWorker } from './supervisor.js';

/** Display state of one worker incarnation. */
export type WorkerRowState = 'starting' | 'alive' | 'stale' | 'dead' | 'frozen' | 'stopping';

/** One row of the workers pane: a registered incarnation, or a spawned child not registered (yet, or any more). */
export interface WorkerRow {
  /** The workerKey, or `spawned:NAME:PID` for a child without a registry entry. */
  key: string;
  name: string;
  /** The incarnation id, '' for a child that has not registered. */
  incarnation: string;
  pid: number | undefined;
  host: string | undefined;
  state: WorkerRowState;
  /** True when this console spawned the process, so it may signal it. */
  spawned: boolean;
  /** Time since the last heartbeat write, undefined once the heartbeat key is gone. */
  heartbeatAgeMs: number | undefined;
  heartbeatTtlMs: number | undefined;
  processingCount: number;
  /** How long the oldest task the worker reported running has run. */
  longestRunningMs: number | undefined;
  completedCount: number;
  /** Oldest entries of its processing list, as read. */
  processing: string[];
  running: WorkerSnapshot['running'];
  logPath: string | undefined;
  /** Exit signal or code of a spawned child that exited ("SIGKILL", "exit 1"). */
  exit: string | undefined;
}

/** Inputs of buildWorkerRows besides the registry. */
export interface WorkerRowContext {
  children: readonly SupervisedWorker[];
  nowMs: number;
  /** Host name of this console, so a spawned child is matched by host and pid. */
  localHost: string;
}

/**
 * Merges the registry of a snapshot with the children this console spawned.
 * A registered worker whose process this console saw exit shows as dead until
 * the master requeues its tasks and deletes its registry entry. A live child
 * without a registry entry shows as starting, frozen or stopping.
 */
export function buildWorkerRows(registry: readonly WorkerSnapshot[], context: WorkerRowContext): WorkerRow[] {
  const matched = new Set<SupervisedWorker>();
  const rows = registry.map((worker) => {
    const child = context.children.find((candidate) => candidate.name === worker.name && candidate.pid === worker.pid && worker.host === context.localHost);
    if (child) matched.add(child);
    return registeredRow(worker, child, context.nowMs);
  });

  for (const child of context.children) {
    if (matched.has(child) || child.state === 'exited') continue;
    rows.push(unregisteredRow(child));
  }
  return rows.sort(compareRows);
}

function registeredRow(worker: WorkerSnapshot, child: SupervisedWorker | undefined, nowMs: number): WorkerRow {
  const ttlMs = worker.heartbeatTtlMs;
  const heartbeatAgeMs = worker.heartbeatTtlLeftMs >= 0 && ttlMs !== undefined ? Math.max(0, ttlMs - worker.heartbeatTtlLeftMs) : undefined;
  const startTimes = worker.running.map((task) => task.startedAtMs).filter((value) => typeof value === 'number');
  return {
    key: worker.workerKey,
    name: worker.name,
    incarnation: worker.incarnation,
    pid: worker.pid,
    host: worker.host,
    state: registeredState(worker, child, heartbeatAgeMs),
    spawned: child !== undefined,
    heartbeatAgeMs,
    heartbeatTtlMs: ttlMs,
    processingCount: worker.processingCount,
    longestRunningMs: startTimes.length > 0 ? Math.max(0, nowMs - Math.min(...startTimes)) : undefined,
    completedCount: worker.completedCount,
    processing: worker.processing,
    running: worker.running,
    logPath: child?.logPath,
    exit: child ? describeExit(child) : undefined,
  };
}

/**
 * Derives the state of a registered worker. A heartbeat older than half its
 * TTL is stale, because with the default interval (a third of the TTL) two
 * heartbeats in a row were late.
 */
function registeredState(worker: WorkerSnapshot, child: SupervisedWorker | undefined, heartbeatAgeMs: number | undefined): WorkerRowState {
  if (child?.state === 'exited') return 'dead';
  if (child?.state === 'frozen') return 'frozen';
  if (child?.state === 'stopping') return 'stopping';
  if (worker.heartbeatTtlLeftMs < 0 || heartbeatAgeMs === undefined) return 'dead';
  if (worker.heartbeatTtlMs !== undefined && heartbeatAgeMs > worker.heartbeatTtlMs / 2) return 'stale';
  return 'alive';
}

function unregisteredRow(child: SupervisedWorker): WorkerRow {
  return {
    key: `spawned:${child.name}:${child.pid}`,
    name: child.name,
    incarnation: '',
    pid: child.pid,
    host: undefined,
    state: unregisteredState(child),
    spawned: true,
    heartbeatAgeMs: undefined,
    heartbeatTtlMs: undefined,
    processingCount: 0,
    longestRunningMs: undefined,
    completedCount: 0,
    processing: [],
    running: [],
    logPath: child.logPath,
    exit: undefined,
  };
}

function unregisteredState(child: SupervisedWorker): WorkerRowState {
  if (child.state === 'frozen') return 'frozen';
  if (child.state === 'stopping') return 'stopping';
  return 'starting';
}

function describeExit(child: SupervisedWorker): string | undefined {
  if (child.state !== 'exited') return undefined;
  if (child.exitSignal) return child.exitSignal;
  return `exit ${child.exitCode ?? '?'}`;
}

const nameCollator = new Intl.Collator('en', { numeric: true });

/** Natural order by name (W2 before W10), then by incarnation, so rows keep their places between ticks. */
function compareRows(left: WorkerRow, right: WorkerRow): number {
  return nameCollator.compare(left.name, right.name) || nameCollator.compare(left.incarnation, right.incarnation) || (left.pid ?? 0) - (right.pid ?? 0);
}
