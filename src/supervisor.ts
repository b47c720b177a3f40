import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { waitUpTo } from '../engine/timing.js';
import { Guardian } from './guardian.js';

/** State of a worker child process, as tracked by the supervisor. */
export type ChildState = 'running' | 'frozen' | 'stopping' | 'exited';

/** One worker child process. */
export interface SupervisedWorker {
  name: string;
  pid: number;
  state: ChildState;
  startedAtMs: number;
  /** When the supervisor last sent SIGKILL, for recovery latency. */
  killedAtMs?: number;
  exitCode?: number | null;
  exitSignal?: NodeJS.Signals | null;
  logPath: string;
}

export interface SupervisorOptions {
  /** Path of the dtq-console CLI script the children run. */
  cliPath: string;
  /** Arguments after `worker --name NAME`: queue, prefix, timing and handler flags. */
  workerArgs: string[];
  /** Environment of the children; carries REDIS_URL so no password shows in `ps`. */
  env: NodeJS.ProcessEnv;
  /** Folder of the per-worker log files. */
  logDir: string;
}

type Signal = 'SIGKILL' | 'SIGTERM' | 'SIGSTOP' | 'SIGCONT';

/**
 * Spawns `dtq-console worker` children and signals them. Children get no
 * terminal stdin, log to files, and hold an IPC channel so they stop on their
 * own when this process dies, even by SIGKILL.
 */
export class Supervisor extends EventEmitter {
  private readonly children = new Map<string, { worker: SupervisedWorker; process: ChildProcess }>();
  private nextNumber = 1;
  /** Resumes frozen children if this process dies: a stopped process cannot notice its closed IPC channel. */
  private guardian: Guardian | undefined;

  constructor(private readonly options: SupervisorOptions) {
    super();
    mkdirSync(options.logDir, { recursive: true });
  }

  /** Returns every child this supervisor started, exited ones included, in start order. */
  list(): SupervisedWorker[] {
    return [...this.children.values()].map((entry) => ({ ...entry.worker }));
  }

  /** Children that have not exited. */
  liveCount(): number {
    return this.list().filter((worker) => worker.state !== 'exited').length;
  }

  /** Starts a worker child named `name`, or the next free `W<n>`. */
  spawn(name?: string): SupervisedWorker {
    const chosen = name ?? this.nextName();
    const existing = this.children.get(chosen);
    if (existing && existing.worker.state !== 'exited') throw new Error(`worker ${chosen} is already running (pid ${existing.worker.pid})`);

    const logPath = join(this.options.logDir, `${chosen}.log`);
    const logFd = openSync(logPath, 'a');
    const child = spawn(process.execPath, [this.options.cliPath, 'worker', '--name', chosen, ...this.options.workerArgs], {
      stdio: ['ignore', logFd, logFd, 'ipc'],
      env: this.options.env,
      // Its own process group: Ctrl+C in the terminal reaches only the parent, which then stops workers gracefully.
      detached: true,
    });
    closeSync(logFd);

    const worker: SupervisedWorker = { name: chosen, pid: child.pid ?? 0, state: 'running', startedAtMs: Date.now(), logPath };
    this.children.set(chosen, { worker, process: child });
    child.on('exit', (code, signal) => {
      this.guardian?.unwatch(worker.pid);
      worker.state = 'exited';
      worker.exitCode = code;
      worker.exitSignal = signal;
      this.emit('change');
    });
    child.on('error', () => {
      worker.state = 'exited';
      this.emit('change');
    });
    this.emit('change');
    return { ...worker };
  }

  /**
   * Sends a signal to a live child. Returns false when no such child runs.
   * SIGKILL and SIGTERM first resume a frozen child: a stopped process does
   * not act on SIGTERM until it runs again.
   */
  signal(name: string, signal: Signal): boolean {
    const entry = this.children.get(name);
    if (!entry || entry.worker.state === 'exited') return false;
    const { worker, process: child } = entry;

    if (signal === 'SIGTERM' && worker.state === 'frozen') child.kill('SIGCONT');
    child.kill(signal);
    if (signal === 'SIGKILL') worker.killedAtMs = Date.now();
    if (signal === 'SIGSTOP') {
      worker.state = 'frozen';
      this.guardian ??= new Guardian();
      this.guardian.watch(worker.pid, ['SIGCONT']);
    }
    if (signal === 'SIGCONT') {
      worker.state = 'running';
      this.guardian?.unwatch(worker.pid);
    }
    if (signal === 'SIGTERM') worker.state = 'stopping';
    this.emit('change');
    return true;
  }

  /** SIGKILL: the chaos case. */
  kill(name: string): boolean {
    return this.signal(name, 'SIGKILL');
  }

  /** SIGTERM: a graceful stop. */
  terminate(name: string): boolean {
    return this.signal(name, 'SIGTERM');
  }

  /** SIGSTOP when running, SIGCONT when frozen. */
  toggleFreeze(name: string): boolean {
    const worker = this.children.get(name)?.worker;
    if (!worker) return false;
    return this.signal(name, worker.state === 'frozen' ? 'SIGCONT' : 'SIGSTOP');
  }

  /** Stops every child: SIGTERM (after SIGCONT when frozen), then SIGKILL for those still alive after `timeoutMs`. */
  async stopAll(timeoutMs: number): Promise<void> {
    const live = [...this.children.values()].filter((entry) => entry.worker.state !== 'exited');
    const exits = live.map((entry) => new Promise<void>((resolve) => {
      if (entry.worker.state === 'exited') resolve();
      else entry.process.once('exit', () => resolve());
    }));
    for (const entry of live) this.signal(entry.worker.name, 'SIGTERM');

    await waitUpTo(Promise.all(exits), timeoutMs);
    const stuck = live.filter((entry) => entry.worker.state !== 'exited');
    for (const entry of stuck) entry.process.kill('SIGKILL');
    if (stuck.length > 0) await waitUpTo(Promise.all(exits), 2000);
    // Nothing is frozen any more, so the helper that would resume frozen children can go.
    this.guardian?.stop();
    this.guardian = undefined;
  }

  private nextName(): string {
    for (;;) {
      const name = `W${this.nextNumber++}`;
      if (!this.children.has(name) || this.children.get(name)?.worker.state === 'exited') return name;
    }
  }
}
