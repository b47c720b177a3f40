import meow from 'meow';
import { ConfigError, RedisSetupError, TaskValidationError } from '../engine/index.js';
import { readDotEnv, resolveConfig, UsageError, type Config } from './config.js';
import { RuntimeError } from './embedded.js';

export const helpText = `
  Usage
    $ dtq-console                      the console: live view and chaos lab (needs a terminal)
    $ dtq-console --no-ui [--workers N] headless master, JSON logs; optionally supervises N workers
    $ dtq-console worker [--name W1] [--concurrency N] [--handlers FILE]
    $ dtq-console enqueue NAME [--payload JSON] [--count N] [--ndjson FILE|-] [--max-attempts N] [--delay-ms N]
    $ dtq-console status [--json]
    $ dtq-console pause | resume
    $ dtq-console dead list [--json] [--limit N] | dead requeue (--all | ID...) | dead purge

  Connection (flags override environment, which overrides .env in this folder)
    --redis-url URL          redis:// or rediss:// (TLS) URL, env REDIS_URL. Without it the console and
                             --no-ui start a private redis-server in .dtq/, and the other commands use it
    --queue NAME             queue name, env DTQ_QUEUE (default: default)
    --prefix NAME            key prefix, env DTQ_PREFIX (default: dtq)
    --data-dir DIR           folder of the embedded Redis and worker logs, env DTQ_DATA_DIR (default: .dtq)

  Timing and limits
    --heartbeat-ms N         worker heartbeat interval in ms, env DTQ_HEARTBEAT_MS (default: 1000)
    --heartbeat-ttl-ms N     heartbeat lifetime in ms; a worker silent this long is declared dead,
                             env DTQ_HEARTBEAT_TTL_MS (default: 3000)
    --sweep-ms N             master sweep interval in ms, env DTQ_SWEEP_MS (default: 500)
    --concurrency N          tasks one worker runs at once, env DTQ_CONCURRENCY (default: 1)
    --max-attempts N         executions before a task is dead-lettered, env DTQ_MAX_ATTEMPTS (default: 5)
    --task-timeout-ms N      handler timeout in ms, 0 for none, env DTQ_TASK_TIMEOUT_MS (default: 0)
    --shutdown-timeout-ms N  time a stopping worker waits for its tasks, env DTQ_SHUTDOWN_TIMEOUT_MS (default: 10000)

  Other
    --workers N              worker children to start with; --no-ui also restarts them when they die
    --name NAME              worker name (default: host-pid)
    --handlers FILE          ES module whose default export maps task names to async functions
                             (default: the demo handlers sleep, cpu, flaky, crash, echo)
    --payload JSON           task payload (default: null)
    --count N                tasks to enqueue (default: 1)
    --ndjson FILE|-          enqueue one task per line of FILE (or stdin), each line a JSON payload
    --delay-ms N             enqueue as delayed by N ms
    --json                   machine-readable output for status and dead list
    --audit                  count completions per task id (the console turns it on), env DTQ_AUDIT
    --log-level LEVEL        debug, info, warn, error or silent, env DTQ_LOG_LEVEL (default: info)
    --no-color               no colours in the console (also NO_COLOR)
    --help, --version

  Exit codes: 0 success, 1 runtime failure, 2 usage error.
`;

const flagDefinitions = {
  redisUrl: { type: 'string' },
  queue: { type: 'string' },
  prefix: { type: 'string' },
  dataDir: { type: 'string' },
  heartbeatMs: { type: 'string' },
  heartbeatTtlMs: { type: 'string' },
  sweepMs: { type: 'string' },
  concurrency: { type: 'string' },
  maxAttempts: { type: 'string' },
  taskTimeoutMs: { type: 'string' },
  shutdownTimeoutMs: { type: 'string' },
  workers: { type: 'string' },
  name: { type: 'string' },
  handlers: { type: 'string' },
  payload: { type: 'string' },
  count: { type: 'string' },
  ndjson: { type: 'string' },
  delayMs: { type: 'string' },
  limit: { type: 'string' },
  json: { type: 'boolean' },
  all: { type: 'boolean' },
  audit: { type: 'boolean' },
  logLevel: { type: 'string' },
  ui: { type: 'boolean', default: true },
  color: { type: 'boolean', default: true },
} as const;

type FlagName = keyof typeof flagDefinitions;

const commonFlags: FlagName[] = ['redisUrl', 'queue', 'prefix', 'dataDir', 'logLevel', 'color'];
const timingFlags: FlagName[] = ['heartbeatMs', 'heartbeatTtlMs', 'sweepMs', 'maxAttempts', 'audit'];

/** Flags each command accepts besides the common ones; anything else is a usage error. */
const commandFlags: Record<string, FlagName[]> = {
  console: [...timingFlags, 'ui', 'workers', 'concurrency', 'taskTimeoutMs', 'shutdownTimeoutMs', 'handlers'],
  worker: [...timingFlags, 'name', 'concurrency', 'handlers', 'taskTimeoutMs', 'shutdownTimeoutMs'],
  enqueue: ['payload', 'count', 'ndjson', 'maxAttempts', 'delayMs', 'taskTimeoutMs'],
  status: ['json', 'heartbeatTtlMs'],
  pause: [],
  resume: [],
  dead: ['json', 'limit', 'all'],
};

export type Flags = Record<string, unknown>;

/** The parsed command line handed to each command. */
export interface Invocation {
  command: string;
  args: string[];
  flags: Flags;
  config: Config;
}

/** Parses arguments, merges configuration and runs one command; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    const invocation = parse(argv);
    return await dispatch(invocation);
  } catch (error) {
    return reportError(error);
  }
}

/** yargs-parser reads a lone `-` after a flag as an empty value; `--flag=-` keeps it, so stdin works as `--ndjson -`. */
function joinDashValues(argv: string[]): string[] {
  const joined: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const current = argv[i] as string;
    if (current.startsWith('--') && !current.includes('=') && argv[i + 1] === '-') {
      joined.push(`${current}=-`);
      i++;
    } else {
      joined.push(current);
    }
  }
  return joined;
}

function parse(argv: string[]): Invocation {
  const cli = meow(helpText, {
    importMeta: import.meta,
    argv: joinDashValues(argv),
    flags: flagDefinitions,
    // Unknown flags are reported below, in the same form as every other usage error.
    allowUnknownFlags: true,
    booleanDefault: undefined,
  });
  // meow handles --help and --version only when they are the sole argument; honour them anywhere.
  if (argv.includes('--help') || argv.includes('-h')) cli.showHelp(0);
  if (argv.includes('--version')) cli.showVersion();
  const [command = 'console', ...args] = cli.input;
  const allowed = commandFlags[command];
  if (!allowed) throw new UsageError(`unknown command ${JSON.stringify(command)}: use one of worker, enqueue, status, pause, resume, dead (see --help)`);

  const flags = cli.flags as Flags;
  const unknown = Object.keys(flags).filter((name) => !Object.hasOwn(flagDefinitions, name) && name !== 'help' && name !== 'version');
  if (unknown.length > 0) {
    throw new UsageError(`unknown flag ${unknown.map((name) => (name.length === 1 ? `-${name}` : `--${kebabCase(name)}`)).join(', ')} (see --help)`);
  }
  for (const [name, value] of Object.entries(flags)) {
    if (value === undefined || name === 'ui' || name === 'color') continue;
    if (!commonFlags.includes(name as FlagName) && !allowed.includes(name as FlagName)) {
      throw new UsageError(`--${kebabCase(name)} does not apply to ${command === 'console' ? 'the console' : `\`${command}\``} (see --help)`);
    }
    if (value === '') throw new UsageError(`--${kebabCase(name)} needs a value (see --help)`);
  }
  if (flags.ui === false && command !== 'console') throw new UsageError(`--no-ui applies only to the console, not to \`${command}\``);

  const dotEnv = readDotEnv(process.cwd());
  for (const warning of dotEnv.warnings) process.stderr.write(`dtq-console: warning: ${warning}\n`);
  const config = resolveConfig(flags, process.env, dotEnv.values, process.cwd());
  return { command, args, flags, config };
}

async function dispatch(invocation: Invocation): Promise<number> {
  switch (invocation.command) {
    case 'worker':
      return (await import('./commands/worker.js')).runWorkerCommand(invocation);
    case 'enqueue':
      return (await import('./commands/enqueue.js')).runEnqueueCommand(invocation);
    case 'status':
      return (await import('./commands/status.js')).runStatusCommand(invocation);
    case 'pause':
    case 'resume':
    case 'dead':
      return (await import('./commands/admin.js')).runAdminCommand(invocation);
    default:
      if (invocation.flags.ui === false) return (await import('./headless.js')).runHeadless(invocation);
      return (await import('./console.js')).runConsoleCommand(invocation);
  }
}

function reportError(error: unknown): number {
  if (error instanceof UsageError) {
    process.stderr.write(`dtq-console: ${error.message}\n`);
    return 2;
  }
  if (error instanceof RuntimeError || error instanceof RedisSetupError || error instanceof ConfigError || error instanceof TaskValidationError) {
    process.stderr.write(`dtq-console: ${error.message}\n`);
    return 1;
  }
  process.stderr.write(`dtq-console: unexpected error, please report it with the command you ran:\n${(error as Error)?.stack ?? String(error)}\n`);
  return 1;
}

function kebabCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}
