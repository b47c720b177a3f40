/**
 * `npm run bench`: measures dtq-console against BullMQ on one private
 * redis-server (persistence off), prints Markdown tables and writes them with
 * a JSON file to bench-results/. `--docs` also rewrites docs/benchmarks.md.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem, type as osType, release } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { startRedisServer } from '../src/redis-server.js';
import type { BenchContext } from './context.js';
import { runEnqueueCase } from './enqueue-case.js';
import { runProcessingCase } from './processing-case.js';
import { runRecoveryCase } from './recovery-case.js';
import { renderMarkdown, type BenchResults, type MachineInfo } from './report.js';
import { runTickCase } from './tick-case.js';
import { renderDocsPage } from './docs-page.js';

const caseNames = ['enqueue', 'processing', 'recovery', 'tick'] as const;
type CaseName = (typeof caseNames)[number];

const usage = `usage: npm run bench -- [--runs N] [--scale F] [--only CASES] [--no-bullmq-recovery] [--docs] [--from-json FILE]
  --runs N              runs per case and system, at least 3 (default 5)
  --scale F             multiply task counts by F, for a quick check only (default 1)
  --only CASES          comma-separated subset of: ${caseNames.join(', ')}
  --no-bullmq-recovery  skip BullMQ's recovery round, which waits up to 75 s
  --docs                also rewrite docs/benchmarks.md from this run
  --from-json FILE      measure nothing: print the tables of a saved results file, and with --docs rewrite the page from it`;

const flagOptions = {
  runs: { type: 'string', default: '5' },
  scale: { type: 'string', default: '1' },
  only: { type: 'string' },
  'no-bullmq-recovery': { type: 'boolean', default: false },
  docs: { type: 'boolean', default: false },
  'from-json': { type: 'string' },
  help: { type: 'boolean', default: false },
} as const;

/** A command-line mistake: the run prints the usage and exits with code 2. */
class UsageError extends Error {}

interface RunOptions {
  runs: number;
  scale: number;
  cases: Set<CaseName>;
  bullRecovery: boolean;
  docs: boolean;
  fromJson: string | undefined;
}

function parseOptions(argv: string[]): RunOptions {
  const values = parseFlags(argv);
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const runs = Number(values.runs);
  const scale = Number(values.scale);
  if (!Number.isInteger(runs) || runs < 3) {
    throw new UsageError(`invalid --runs ${values.runs}: expected an integer of at least 3, so each figure has a median, a min and a max`);
  }
  if (!(scale > 0 && scale <= 10)) {
    throw new UsageError(`invalid --scale ${values.scale}: expected a number above 0 and at most 10`);
  }

  const cases = new Set<CaseName>(values.only ? [] : caseNames);
  for (const name of values.only?.split(',') ?? []) {
    if (!(caseNames as readonly string[]).includes(name)) {
      throw new UsageError(`unknown case ${JSON.stringify(name)} in --only: use ${caseNames.join(', ')}`);
    }
    cases.add(name as CaseName);
  }
  return { runs, scale, cases, bullRecovery: !values['no-bullmq-recovery'], docs: values.docs, fromJson: values['from-json'] };
}

function parseFlags(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: flagOptions }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}


function packageVersion(name: string): string {
  const path = new URL(`../../node_modules/${name}/package.json`, import.meta.url);
  return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
}

function roundLoad(value: number | undefined): number {
  return Math.round((value ?? 0) * 100) / 100;
}

/** One-minute load average above which the run warns that other processes share the cores. */
const busyLoadAverage = 1;

function describeMachine(options: RunOptions, redisVersion: string, startedAt: Date): MachineInfo {
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cpuCount: cpus().length,
    memoryGib: Math.round(totalmem() / 2 ** 30),
    os: `${osType()} ${release()}`,
    node: process.version,
    redis: redisVersion,
    bullmq: packageVersion('bullmq'),
    startedAt: startedAt.toISOString(),
    durationS: 0,
    loadAverageAtStart: roundLoad(loadavg()[0]),
    loadAverageAtEnd: 0,
    runs: options.runs,
    scale: options.scale,
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options.fromJson) {
    writeResults(readSavedResults(options.fromJson), options.docs, false);
    return;
  }

  const startedAt = new Date();
  const startLoad = loadavg()[0] ?? 0;
  if (startLoad > busyLoadAverage) {
    console.error(`warning: the 1-minute load average is ${startLoad.toFixed(2)}, so other processes compete for the CPU and both systems will measure slower and noisier`);
  }
  const redisDir = mkdtempSync(join(tmpdir(), 'dtq-bench-redis-'));
  const server = await startRedisServer({ dir: redisDir, appendOnly: false });
  const admin = new Redis(server.url);
  const context: BenchContext = {
    redisUrl: server.url,
    admin,
    runs: options.runs,
    scale: options.scale,
    log: (message) => {
      const elapsedS = Math.round((Date.now() - startedAt.getTime()) / 1000);
      console.error(`[${String(elapsedS).padStart(3)} s] ${message}`);
    },
  };

  try {
    const redisVersion = /redis_version:([^\r\n]+)/.exec(await admin.info('server'))?.[1] ?? 'unknown';
    const results: BenchResults = { machine: describeMachine(options, redisVersion, startedAt), enqueue: [], processing: [], recovery: [], tick: [] };
    if (options.cases.has('enqueue')) results.enqueue = await runEnqueueCase(context);
    if (options.cases.has('processing')) results.processing = await runProcessingCase(context);
    if (options.cases.has('recovery')) results.recovery = await runRecoveryCase(context, options.bullRecovery);
    if (options.cases.has('tick')) results.tick = await runTickCase(context);
    results.machine.durationS = Math.round((Date.now() - startedAt.getTime()) / 1000);
    results.machine.loadAverageAtEnd = roundLoad(loadavg()[0]);

    writeResults(results, options.docs, true);
  } finally {
    admin.disconnect();
    await server.stop();
    rmSync(redisDir, { recursive: true, force: true });
  }
}

function readSavedResults(path: string): BenchResults {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as BenchResults;
  } catch (error) {
    throw new UsageError(`cannot read results file ${path}: ${(error as Error).message}; pass a bench-results/bench-*.json file`);
  }
}

/** Prints the tables; `save` writes them with the JSON to bench-results/, and `docs` rewrites docs/benchmarks.md. */
function writeResults(results: BenchResults, docs: boolean, save: boolean): void {
  const markdown = renderMarkdown(results);
  console.log(markdown);
  if (save) saveResults(results, markdown);
  if (docs) {
    writeFileSync(join('docs', 'benchmarks.md'), renderDocsPage(results, markdown));
    console.log('Wrote docs/benchmarks.md.');
  }
}

function saveResults(results: BenchResults, markdown: string): void {
  const folder = 'bench-results';
  mkdirSync(folder, { recursive: true });
  const stamp = results.machine.startedAt.replace(/[:.]/g, '-');
  writeFileSync(join(folder, `bench-${stamp}.json`), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(folder, `bench-${stamp}.md`), markdown);
  console.log(`Wrote ${folder}/bench-${stamp}.json and .md (${results.machine.durationS} s).`);
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`${error.message}\n${usage}`);
    process.exit(2);
  }
  console.error(`benchmark failed: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
