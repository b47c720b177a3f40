import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Finds the repository root, whether this module runs from the source tree (vitest) or from dist/. */
function repositoryRoot(): string {
  const twoUp = fileURLToPath(new URL('../../', import.meta.url));
  return basename(twoUp) === 'dist' ? join(twoUp, '..') : twoUp;
}

/** The built CLI that worker and master processes run; `npm run build` makes it. */
export const cliPath = join(repositoryRoot(), 'dist', 'src', 'cli.js');

/** The built chaos handlers module, for `worker --handlers`. */
export const chaosHandlersPath = join(repositoryRoot(), 'dist', 'test', 'chaos', 'handlers.js');

/** How a child process ended. */
export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  atMs: number;
}

/** Every process started here that may still run, so an exit of this process can kill them. */
const liveProcesses = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of liveProcesses) child.kill('SIGKILL');
  });
}

/**
 * One `dtq-console` process (worker or master) started by a test or the
 * soak, logging to a file. It keeps an IPC channel open, so a worker stops on its
 * own when this process dies, even by SIGKILL.
 */
export class CliProcess {
  readonly pid: number;
  readonly startedAtMs = Date.now();
  /** Resolves when the process has exited. */
  readonly exited: Promise<ExitInfo>;
  exitInfo: ExitInfo | undefined;
  private readonly child: ChildProcess;

  constructor(readonly label: string, args: readonly string[], env: NodeJS.ProcessEnv, readonly logPath: string) {
    installExitHook();
    const logFd = openSync(logPath, 'a');
    this.child = spawn(process.execPath, [cliPath, ...args], { stdio: ['ignore', logFd, logFd, 'ipc'], env });
    closeSync(logFd);
    this.pid = this.child.pid ?? 0;
    liveProcesses.add(this.child);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        liveProcesses.delete(this.child);
        this.exitInfo = { code, signal, atMs: Date.now() };
        resolve(this.exitInfo);
      });
    });
  }

  get alive(): boolean {
    return this.exitInfo === undefined;
  }

  /** Sends a signal; returns false when the process has already exited. */
  signal(signal: NodeJS.Signals): boolean {
    if (!this.alive) return false;
    return this.child.kill(signal);
  }

  /** SIGTERM (after SIGCONT, as a stopped process acts on nothing), then SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 15_000): Promise<ExitInfo> {
    if (this.alive) {
      this.child.kill('SIGCONT');
      this.child.kill('SIGTERM');
    }
    const timer = setTimeout(() => this.signal('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Settings shared by the worker processes of one test or soak. */
export interface WorkerSettings {
  redisUrl: string;
  queue: string;
  /** Folder of the execution log (DTQ_CHAOS_DIR) and the process logs. */
  dir: string;
  concurrency?: number;
  heartbeatMs?: number;
  heartbeatTtlMs?: number;
  taskTimeoutMs?: number;
  shutdownTimeoutMs?: number;
  maxAttempts?: number;
  handlersPath?: string;
  logLevel?: string;
}

/** Starts `dtq-console worker --name NAME` with the chaos handlers, auditing on. */
export function startWorker(name: string, settings: WorkerSettings, logSuffix = ''): CliProcess {
  const args = [
    'worker',
    '--name', name,
    '--queue', settings.queue,
    '--handlers', settings.handlersPath ?? chaosHandlersPath,
    '--concurrency', String(settings.concurrency ?? 1),
    '--heartbeat-ms', String(settings.heartbeatMs ?? 1000),
    '--heartbeat-ttl-ms', String(settings.heartbeatTtlMs ?? 3000),
    '--task-timeout-ms', String(settings.taskTimeoutMs ?? 0),
    '--shutdown-timeout-ms', String(settings.shutdownTimeoutMs ?? 10_000),
    '--max-attempts', String(settings.maxAttempts ?? 5),
    '--log-level', settings.logLevel ?? 'info',
    '--audit',
  ];
  const env = { ...process.env, REDIS_URL: settings.redisUrl, DTQ_CHAOS_DIR: settings.dir };
  return new CliProcess(`worker ${name}`, args, env, join(settings.dir, `worker-${name}${logSuffix}.log`));
}

/** Settings of a headless master process. */
export interface MasterSettings {
  redisUrl: string;
  queue: string;
  dir: string;
  sweepMs?: number;
  maxAttempts?: number;
}

/** Starts `dtq-console --no-ui`, the headless master, on the queue. */
export function startMaster(settings: MasterSettings, label = 'master'): CliProcess {
  const args = [
    '--no-ui',
    '--queue', settings.queue,
    '--sweep-ms', String(settings.sweepMs ?? 500),
    '--max-attempts', String(settings.maxAttempts ?? 5),
    '--data-dir', join(settings.dir, 'master-data'),
  ];
  const env = { ...process.env, REDIS_URL: settings.redisUrl };
  return new CliProcess(label, args, env, join(settings.dir, `${label}.log`));
}
