import type { Verdict } from './check.js';
import type { UnexpectedExit } from './lab.js';
import type { FaultKind } from './schedule.js';

/** Everything a soak prints and saves as report.json. */
export interface SoakReport {
  seed: string;
  settings: {
    tasks: number;
    workers: number;
    concurrency: number;
    faultSeconds: number;
    appendFsync: string;
    heartbeatTtlMs: number;
    taskTimeoutMs: number;
  };
  faultsInjected: Record<FaultKind, number>;
  faultsSkipped: number;
  /** Processes that exited on their own; one whose log shows an unexpected error fails the soak. */
  unexpectedExits: UnexpectedExit[];
  runSeconds: number;
  drainSeconds: number;
  throughputPerSecond: number;
  verdict: Verdict;
  passed: boolean;
  dir: string;
}

/** Returns the value at quantile `q` of `values` (nearest rank), or undefined when empty. */
export function quantile(values: readonly number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function seconds(ms: number | undefined): string {
  if (ms === undefined) return '-';
  if (!Number.isFinite(ms)) return 'never';
  return `${(ms / 1000).toFixed(2)} s`;
}

function latencyLine(label: string, values: readonly number[]): string {
  return `${label}: p50 ${seconds(quantile(values, 0.5))}, p99 ${seconds(quantile(values, 0.99))}, max ${seconds(quantile(values, 1))} (n=${values.length})`;
}

/** True when a process exited through the CLI's handler for unexpected errors: a bug, not an environment problem. */
export function isCrash(exit: UnexpectedExit): boolean {
  return exit.logTail.includes('unexpected error');
}

/** Returns the CLI's error line from the log tail, else its last line. */
function exitMessage(exit: UnexpectedExit): string {
  const lines = exit.logTail.split('\n');
  const errorLine = lines.find((line) => line.startsWith('dtq-console:')) ?? lines.at(-1) ?? '';
  return errorLine.slice(0, 300);
}

/** Formats the report as the text the soak prints. */
export function formatReport(report: SoakReport): string {
  const { verdict, settings } = report;
  const { accounting } = verdict;
  const lines = [
    `chaos soak, seed ${report.seed}: ${settings.faultSeconds} s of faults, ${settings.workers} workers x concurrency ${settings.concurrency}, appendfsync ${settings.appendFsync}, heartbeat TTL ${settings.heartbeatTtlMs} ms, task timeout ${settings.taskTimeoutMs} ms`,
    `tasks: ${verdict.enqueuedCount} enqueued (${verdict.poisonCount} poison), ${verdict.ackedCount} acked, ${verdict.deadLetteredCount} dead-lettered, lost ${verdict.lostIds.length}`,
    `accounting: pending ${accounting.pending} + processing ${accounting.processing} + delayed ${accounting.delayed} + dead ${accounting.dead} + completed ${accounting.completed} = ${accounting.sum}; enqueued ${accounting.enqueued} (queue counter ${accounting.enqueuedCounter}): ${accounting.balanced ? 'balanced' : 'UNBALANCED'}`,
    `faults injected: ${Object.entries(report.faultsInjected).map(([kind, count]) => `${kind} ${count}`).join(', ')}${report.faultsSkipped > 0 ? ` (${report.faultsSkipped} skipped: no eligible target)` : ''}`,
    `handler faults: ${verdict.handlerFaults.throws} throws, ${verdict.handlerFaults.timeouts} timeouts, ${verdict.handlerFaults.selfKills} self-kills`,
    `duplicates: ${verdict.duplicates.length} task attempts ran more than once; causes: ${Object.entries(verdict.causeCounts).map(([cause, count]) => `${cause} ${count}`).join(', ') || 'none'}`,
    latencyLine('recovery latency (fault to next execution of a task it cut off)', verdict.recoveryLatenciesMs),
    latencyLine('claim resume after a Redis restart (per worker)', verdict.resumeLatenciesMs),
    `throughput: ${report.throughputPerSecond.toFixed(1)} tasks acked per second over ${report.runSeconds.toFixed(0)} s (drain took ${report.drainSeconds.toFixed(1)} s)`,
  ];

  const problems: string[] = [];
  if (verdict.lostIds.length > 0) problems.push(`LOST: ${verdict.lostIds.slice(0, 20).join(', ')}`);
  if (verdict.stuckIds.length > 0) problems.push(`STUCK after the drain: ${verdict.stuckIds.slice(0, 20).join(', ')}`);
  for (const dead of verdict.wronglyDead.slice(0, 20)) problems.push(`DEAD but not poison: ${dead.taskId} (${dead.kind}): ${dead.reason}`);
  if (verdict.ackedWithoutExecution.length > 0) problems.push(`ACKED without a successful execution: ${verdict.ackedWithoutExecution.slice(0, 20).join(', ')}`);
  if (verdict.uncertainCount > 0) problems.push(`UNCERTAIN: ${verdict.uncertainCount} enqueue(s) failed with an unknown outcome`);
  if (verdict.strandedLists.length > 0) problems.push(`STRANDED processing lists of unregistered workers: ${verdict.strandedLists.join(', ')}`);
  for (const duplicate of verdict.duplicates.filter((entry) => entry.causes.includes('unexplained')).slice(0, 20)) {
    problems.push(`UNEXPLAINED duplicate: ${duplicate.taskId} attempt ${duplicate.attempt} ran on ${duplicate.executions.map((execution) => `${execution.workerKey}@${execution.atMs}`).join(', ')}`);
  }
  for (const exit of report.unexpectedExits.slice(0, 10)) {
    problems.push(`${isCrash(exit) ? 'CRASHED' : 'exited on its own'}: ${exit.label} (pid ${exit.pid}, code ${exit.code}, signal ${exit.signal}): ${exitMessage(exit)}`);
  }
  const stalledCount = verdict.resumeLatenciesMs.filter((latencyMs) => !Number.isFinite(latencyMs)).length;
  if (stalledCount > 0) problems.push(`STALLED: ${stalledCount} time(s) a live worker started nothing within 10 s of a Redis restart`);
  lines.push(...problems);

  lines.push(`duplicate executions and their causes (${verdict.duplicates.length}):`);
  for (const duplicate of verdict.duplicates.slice(0, 40)) {
    lines.push(`  ${duplicate.taskId} (${duplicate.kind}) attempt ${duplicate.attempt}: ${duplicate.executions.map((execution) => execution.workerKey).join(' -> ')}; ${duplicate.causes.join(', ')}`);
  }
  if (verdict.duplicates.length > 40) lines.push(`  ... ${verdict.duplicates.length - 40} more in report.json`);
  lines.push(`result: ${report.passed ? 'PASS' : 'FAIL'} (run folder ${report.dir})`);
  return `${lines.join('\n')}\n`;
}
