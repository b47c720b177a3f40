import type { EnqueueSample } from './enqueue-case.js';
import type { ProcessingSample } from './processing-case.js';
import type { SystemName } from './protocol.js';
import type { RecoverySample } from './recovery-case.js';
import { percentile, summarize, type Summary } from './stats.js';
import type { TickSample } from './tick-case.js';

/** Machine, software versions and settings of one benchmark run. */
export interface MachineInfo {
  cpuModel: string;
  cpuCount: number;
  memoryGib: number;
  os: string;
  node: string;
  redis: string;
  bullmq: string;
  startedAt: string;
  durationS: number;
  /** One-minute load average at the start and at the end: above about 1, other processes competed for the cores. */
  loadAverageAtStart: number;
  loadAverageAtEnd: number;
  runs: number;
  scale: number;
}

/** Everything one benchmark run measured; written as JSON. */
export interface BenchResults {
  machine: MachineInfo;
  enqueue: EnqueueSample[];
  processing: ProcessingSample[];
  recovery: RecoverySample[];
  tick: TickSample[];
}

/** One target of the benchmark and whether this run met it. */
export interface Verdict {
  target: string;
  measured: string;
  met: boolean;
}

function summaryOf<T>(samples: readonly T[], pick: (sample: T) => number): Summary {
  return summarize(samples.map(pick));
}

function bySystem<T extends { system: SystemName }>(samples: readonly T[], system: SystemName): T[] {
  return samples.filter((sample) => sample.system === system);
}

function processingRuns(results: BenchResults, system: SystemName, concurrency: number, processCount: number): ProcessingSample[] {
  return results.processing.filter(
    (sample) => sample.system === system && sample.concurrency === concurrency && sample.processCount === processCount,
  );
}

/** Checks the targets against medians of this run: every ratio compares the two systems on the same server. */
export function judgeTargets(results: BenchResults): Verdict[] {
  const verdicts: Verdict[] = [];
  const median = <T>(samples: T[], pick: (sample: T) => number) => summaryOf(samples, pick).median;

  for (const processCount of [1, 2]) {
    const dtq = median(processingRuns(results, 'dtq', 32, processCount), (sample) => sample.tasksPerSecond);
    const bull = median(processingRuns(results, 'bullmq', 32, processCount), (sample) => sample.tasksPerSecond);
    if (Number.isNaN(dtq) || Number.isNaN(bull)) continue;
    verdicts.push({
      target: `processing at concurrency 32, ${processCount} process${processCount > 1 ? 'es' : ''}: at least 2× BullMQ`,
      measured: `${ratio(dtq, bull)} (${round(dtq)} vs ${round(bull)} tasks/s)`,
      met: dtq >= 2 * bull,
    });
  }

  const enqueueDtq = median(bySystem(results.enqueue, 'dtq'), (sample) => sample.tasksPerSecond);
  const enqueueBull = median(bySystem(results.enqueue, 'bullmq'), (sample) => sample.tasksPerSecond);
  if (!Number.isNaN(enqueueDtq) && !Number.isNaN(enqueueBull)) {
    verdicts.push({
      target: 'bulk enqueue: at least 5× BullMQ',
      measured: `${ratio(enqueueDtq, enqueueBull)} (${round(enqueueDtq)} vs ${round(enqueueBull)} tasks/s)`,
      met: enqueueDtq >= 5 * enqueueBull,
    });
  }

  for (const processCount of [1, 2]) {
    const dtq = median(processingRuns(results, 'dtq', 32, processCount), (sample) => sample.redisCpuUsPerTask);
    const bull = median(processingRuns(results, 'bullmq', 32, processCount), (sample) => sample.redisCpuUsPerTask);
    if (Number.isNaN(dtq) || Number.isNaN(bull)) continue;
    verdicts.push({
      target: `Redis CPU per processed task at concurrency 32, ${processCount} process${processCount > 1 ? 'es' : ''}: at most half of BullMQ's`,
      measured: `${ratio(dtq, bull)} (${dtq.toFixed(1)} vs ${bull.toFixed(1)} µs)`,
      met: dtq <= bull / 2,
    });
  }

  const [small, large] = results.tick;
  if (small && large) {
    verdicts.push({
      target: 'console tick: same Redis commands with 1,000,000 pending as with 10',
      measured: `${large.commandsPerTick.median} vs ${small.commandsPerTick.median} commands`,
      met: large.commandsPerTick.max === small.commandsPerTick.min && large.commandsPerTick.min === small.commandsPerTick.max,
    });
    verdicts.push({
      target: 'console tick with 1,000,000 pending: under 5 ms of Redis time',
      measured: `${(large.redisUsPerTick.max / 1000).toFixed(3)} ms at most`,
      met: large.redisUsPerTick.max < 5000,
    });
  }
  return verdicts;
}

function ratio(value: number, reference: number): string {
  if (Number.isNaN(value) || Number.isNaN(reference)) return '—';
  return `${(value / reference).toFixed(2)}×`;
}

function percentOf(value: number, reference: number): string {
  if (Number.isNaN(value) || Number.isNaN(reference)) return '—';
  return `${Math.round((100 * value) / reference)} %`;
}

function round(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** "median (min–max)" with `digits` decimals. */
function formatSummary(summary: Summary, digits = 0): string {
  if (summary.runs === 0) return '—';
  const format = (value: number) => (digits === 0 ? round(value) : value.toFixed(digits));
  return `${format(summary.median)} (${format(summary.min)}–${format(summary.max)})`;
}

function table(header: string[], rows: string[][]): string {
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}

const systemLabel: Record<SystemName, string> = { dtq: 'dtq-console', bullmq: 'BullMQ', raw: 'bare LMOVE/LREM loop' };
const allSystems = ['dtq', 'bullmq', 'raw'] as const;

function enqueueTable(results: BenchResults): string {
  const rows = allSystems.map((system) => {
    const samples = bySystem(results.enqueue, system);
    return [
      systemLabel[system],
      formatSummary(summaryOf(samples, (sample) => sample.tasksPerSecond)),
      formatSummary(summaryOf(samples, (sample) => sample.redisCpuUsPerTask), 1),
      formatSummary(summaryOf(samples, (sample) => sample.nodeCpuUsPerTask), 1),
      formatSummary(summaryOf(samples, (sample) => sample.commandsPerTask), 2),
    ];
  });
  return table(['system', 'tasks/s', 'Redis CPU µs/task', 'Node CPU µs/task', 'Redis commands/task'], rows);
}

function processingShapes(results: BenchResults): Array<{ concurrency: number; processCount: number }> {
  const seen = new Map<string, { concurrency: number; processCount: number }>();
  for (const { concurrency, processCount } of results.processing) seen.set(`${processCount}:${concurrency}`, { concurrency, processCount });
  return [...seen.values()];
}

function throughputTable(results: BenchResults): string {
  const rows = processingShapes(results).map(({ concurrency, processCount }) => {
    const dtq = summaryOf(processingRuns(results, 'dtq', concurrency, processCount), (sample) => sample.tasksPerSecond);
    const bull = summaryOf(processingRuns(results, 'bullmq', concurrency, processCount), (sample) => sample.tasksPerSecond);
    const raw = summaryOf(processingRuns(results, 'raw', concurrency, processCount), (sample) => sample.tasksPerSecond);
    return [
      String(concurrency),
      String(processCount),
      formatSummary(dtq),
      formatSummary(bull),
      ratio(dtq.median, bull.median),
      formatSummary(raw),
      percentOf(dtq.median, raw.median),
    ];
  });
  return table(['concurrency', 'processes', 'dtq-console tasks/s', 'BullMQ tasks/s', 'dtq ÷ BullMQ', 'bare loop tasks/s', 'dtq ÷ bare loop'], rows);
}

function costTable(results: BenchResults): string {
  const rows: string[][] = [];
  for (const { concurrency, processCount } of processingShapes(results)) {
    for (const system of allSystems) {
      const samples = processingRuns(results, system, concurrency, processCount);
      rows.push([
        `${concurrency} × ${processCount}`,
        systemLabel[system],
        formatSummary(summaryOf(samples, (sample) => sample.redisCpuUsPerTask), 1),
        formatSummary(summaryOf(samples, (sample) => sample.nodeCpuUsPerTask), 1),
        formatSummary(summaryOf(samples, (sample) => sample.commandsPerTask), 2),
        formatSummary(summaryOf(samples, (sample) => sample.scriptCallsPerTask), 2),
        formatSummary(summaryOf(samples, (sample) => sample.maxRssMib), 0),
      ]);
    }
  }
  return table(
    ['concurrency × processes', 'system', 'Redis CPU µs/task', 'worker CPU µs/task', 'Redis commands/task', 'script calls/task', 'worker peak RSS MiB'],
    rows,
  );
}

function recoveryTable(results: BenchResults): string {
  const rows = results.recovery.map((sample) => {
    const sorted = [...sample.latenciesMs].sort((a, b) => a - b);
    const format = (ms: number) => (Number.isNaN(ms) ? '—' : `${(ms / 1000).toFixed(2)} s`);
    return [
      systemLabel[sample.system],
      String(sorted.length),
      format(percentile(sorted, 50)),
      format(percentile(sorted, 99)),
      `${format(sorted[0] ?? Number.NaN)}–${format(sorted[sorted.length - 1] ?? Number.NaN)}`,
      String(sample.missingCount),
    ];
  });
  return table(['system', 'kills', 'p50', 'p99', 'min–max', 'not requeued in time'], rows);
}

function tickTable(results: BenchResults): string {
  const rows = results.tick.map((sample) => [
    sample.pendingCount.toLocaleString('en-US'),
    String(sample.workerCount),
    formatSummary(sample.commandsPerTick, 0),
    formatSummary(sample.redisUsPerTick, 0),
    `${sample.clientP50Ms.toFixed(2)} / ${sample.clientP99Ms.toFixed(2)}`,
  ]);
  return table(['pending', 'workers', 'Redis commands/tick', 'Redis µs/tick', 'round trip p50 / p99 ms'], rows);
}

/** Renders the results as Markdown: one table per case, then the target verdicts. */
export function renderMarkdown(results: BenchResults): string {
  const verdictRows = judgeTargets(results).map((verdict) => [verdict.target, verdict.measured, verdict.met ? 'met' : 'missed']);
  const sections: string[] = [];
  if (results.enqueue.length > 0) sections.push('### Bulk enqueue', enqueueTable(results));
  if (results.processing.length > 0) {
    sections.push('### End-to-end processing (no-op handler)', throughputTable(results), '### Cost per processed task', costTable(results));
  }
  if (results.recovery.length > 0) sections.push('### Recovery after SIGKILL (default timing)', recoveryTable(results));
  if (results.tick.length > 0) sections.push('### Console tick (readSnapshot)', tickTable(results));
  sections.push('### Targets', table(['target', 'measured (medians)', 'verdict'], verdictRows));
  return `${sections.join('\n\n')}\n`;
}
