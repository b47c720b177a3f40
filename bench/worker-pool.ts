import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, ParentMessage, WorkerProcessConfig, WorkerReport } from './protocol.js';

const workerScript = fileURLToPath(new URL('./worker-process.js', import.meta.url));
const stopTimeoutMs = 5000;

/** One forked benchmark worker process and what it last reported. */
export class WorkerProcess {
  readonly child: ChildProcess;
  readonly config: WorkerProcessConfig;
  completedCount = 0;
  workerKey: string | undefined;
  private readonly listeners = new Set<(message: ChildMessage) => void>();

  constructor(config: WorkerProcessConfig) {
    this.config = config;
    this.child = fork(workerScript, [JSON.stringify(config)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (message: ChildMessage) => {
      if (message.type === 'progress') this.completedCount = message.completedCount;
      if (message.type === 'ready' || message.type === 'claimed') this.workerKey = message.workerKey ?? this.workerKey;
      for (const listener of this.listeners) listener(message);
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  send(message: ParentMessage): void {
    this.child.send(message);
  }

  /** Resolves with the first message of `type`, or rejects when the process exits first. */
  waitFor<T extends ChildMessage['type']>(type: T): Promise<Extract<ChildMessage, { type: T }>> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null, signal: string | null) => {
        this.listeners.delete(listener);
        reject(new Error(`bench worker ${this.config.name} (pid ${this.pid}) exited with ${signal ?? code} while the benchmark waited for '${type}'`));
      };
      const listener = (message: ChildMessage) => {
        if (message.type !== type) return;
        this.listeners.delete(listener);
        this.child.off('exit', onExit);
        resolve(message as Extract<ChildMessage, { type: T }>);
      };
      this.listeners.add(listener);
      this.child.once('exit', onExit);
    });
  }

  async report(): Promise<WorkerReport> {
    const reply = this.waitFor('report');
    this.send({ type: 'report' });
    return reply;
  }

  /** Asks the process to stop its worker and exit; sends SIGKILL to this pid when it has not exited in time. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.send({ type: 'stop' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), stopTimeoutMs);
    await exited;
    clearTimeout(timer);
  }

  /** Sends SIGKILL to this process and resolves once it has exited. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGKILL');
    await exited;
  }
}

/** Forks `count` worker processes and waits until each is connected and ready to start. */
export async function startWorkerProcesses(count: number, config: Omit<WorkerProcessConfig, 'name'>): Promise<WorkerProcess[]> {
  const processes = Array.from({ length: count }, (_, index) => new WorkerProcess({ ...config, name: `bench-${config.system}-${index + 1}` }));
  await Promise.all(processes.map((worker) => worker.waitFor('ready')));
  return processes;
}

/** Resolves once the processes together report `total` completions. */
export function waitForCompletions(processes: readonly WorkerProcess[], total: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const sum = processes.reduce((acc, worker) => acc + worker.completedCount, 0);
      if (sum < total) return;
      finish();
      resolve();
    };
    const timer = setTimeout(() => {
      finish();
      const sum = processes.reduce((acc, worker) => acc + worker.completedCount, 0);
      reject(new Error(`workers completed ${sum} of ${total} tasks within ${timeoutMs} ms`));
    }, timeoutMs);
    const finish = () => {
      clearTimeout(timer);
      for (const worker of processes) worker.child.off('message', check);
    };
    for (const worker of processes) worker.child.on('message', check);
    check();
  });
}
