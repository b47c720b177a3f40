/**
 * `npm run chaos -- [--tasks N] [--workers N] [--seconds S] [--seed X]`:
 * runs the chaos soak and prints its report. Exits 0 when nothing was lost
 * and every check passed, 1 otherwise, 2 on a usage error.
 */
import { parseArgs } from 'node:util';
import { formatReport } from './report.js';
import { runSoak, type SoakOptions } from './run.js';

const usage = `usage: npm run chaos -- [--tasks N] [--workers N] [--seconds S] [--seed X]
  [--concurrency N] [--appendfsync always|everysec|no] [--heartbeat-ttl-ms N] [--task-timeout-ms N] [--dir DIR] [--keep]`;

function integer(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) throw new UsageError(`invalid --${name} ${JSON.stringify(text)}: expected a whole number from ${min} to ${max}`);
  return value;
}

class UsageError extends Error {}

function parseOptions(argv: string[]): SoakOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      tasks: { type: 'string' },
      workers: { type: 'string' },
      seconds: { type: 'string' },
      seed: { type: 'string' },
      concurrency: { type: 'string' },
      appendfsync: { type: 'string' },
      'heartbeat-ttl-ms': { type: 'string' },
      'task-timeout-ms': { type: 'string' },
      dir: { type: 'string' },
      keep: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  const appendFsync = values.appendfsync;
  if (appendFsync !== undefined && appendFsync !== 'always' && appendFsync !== 'everysec' && appendFsync !== 'no') {
    throw new UsageError(`invalid --appendfsync ${JSON.stringify(appendFsync)}: use always, everysec or no`);
  }
  const heartbeatTtlMs = integer('heartbeat-ttl-ms', values['heartbeat-ttl-ms'], 200, 600_000);
  return {
    tasks: integer('tasks', values.tasks, 1, 10_000_000),
    workers: integer('workers', values.workers, 1, 64),
    seconds: integer('seconds', values.seconds, 5, 86_400),
    seed: values.seed,
    concurrency: integer('concurrency', values.concurrency, 1, 1000),
    appendFsync,
    heartbeatTtlMs,
    heartbeatMs: heartbeatTtlMs === undefined ? undefined : Math.max(50, Math.floor(heartbeatTtlMs / 3)),
    taskTimeoutMs: integer('task-timeout-ms', values['task-timeout-ms'], 1, 3_600_000),
    dir: values.dir,
    keep: values.keep,
    log: (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`),
  };
}

let options: SoakOptions;
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`chaos: ${(error as Error).message}\n${usage}\n`);
  process.exit(2);
}
// Ctrl-C: exit through process.exit, so the exit hooks kill the workers, masters and redis-server.
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));

const report = await runSoak(options);
process.stdout.write(formatReport(report));
process.exit(report.passed ? 0 : 1);
