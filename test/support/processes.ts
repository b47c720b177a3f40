import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built CLI: `npm test` builds before vitest runs. */
export const cliPath = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));
/** The built test handlers module. */
export const fixtureHandlersPath = fileURLToPath(new URL('../../dist/test/fixtures/handlers.js', import.meta.url));

if (!existsSync(cliPath) || !existsSync(fixtureHandlersPath)) {
  throw new Error(`${cliPath} is missing: run \`npm run build\` (npm test does it) before the integration tests`);
}

/** Options of a worker process started for a test. */
export interface WorkerProcessOptions {
  url: string;
  queue: string;
  name: string;
  recordFile?: string;
  /** Extra CLI flags, e.g. ['--concurrency', '4']. */
  args?: string[];
}

/** A real `dtq-console worker` process with its output collected. */
export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  output: () => string;
  /** Resolves once the worker has registered (its `ready` log line). */
  ready: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Fast timing for tests: a killed worker is declared dead after 600 ms. */
export const fastTiming = ['--heartbeat-ms', '150', '--heartbeat-ttl-ms', '600'];

/** Starts a worker process running the fixture handlers. */
export function startWorkerProcess(options: WorkerProcessOptions): WorkerProcess {
  const child = spawn(
    process.execPath,
    [cliPath, 'worker', '--name', options.name, '--queue', options.queue, '--handlers', fixtureHandlersPath, '--log-level', 'info', ...(options.args ?? [])],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, REDIS_URL: options.url, DTQ_TEST_RECORD_FILE: options.recordFile ?? '' } },
  );
  let output = '';
  child.stdout?.on('data', (data) => (output += data));
  child.stderr?.on('data', (data) => (output += data));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const ready = new Promise<void>((resolve, reject) => {
    const check = () => {
      if (output.includes('"event":"ready"')) resolve();
    };
    child.stdout?.on('data', check);
    void exited.then(() => reject(new Error(`worker ${options.name} exited before it was ready:\n${output}`)));
  });
  ready.catch(() => undefined);
  return { child, pid: child.pid ?? 0, output: () => output, ready, exited };
}

/** Runs the CLI to completion and returns its exit code and output. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, input?: string): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, input, timeout: 30_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Parses a record file into executions: one per `start` line. */
export function readExecutions(file: string): Array<{ phase: string; taskId: string; attempt: number; workerKey: string }> {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [phase = '', taskId = '', attempt = '0', workerKey = ''] = line.split(' ');
      return { phase, taskId, attempt: Number(attempt), workerKey };
    });
}

/** Sends a signal to a process this test started; ignores one that already exited. */
export function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/** Returns true while a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
