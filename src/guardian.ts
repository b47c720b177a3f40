import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Source of the guardian process. It keeps a table of pid → signals, fed over
 * IPC, and sends those signals when the IPC channel closes, which happens when
 * its parent dies in any way, SIGKILL included. It ignores SIGHUP and SIGINT:
 * a closing terminal or Ctrl+C signals the whole process group, and the
 * parent decides what to stop.
 */
const guardianSource = `
for (const signal of ['SIGHUP', 'SIGINT']) process.on(signal, () => undefined);
const watched = new Map();
process.on('message', (message) => {
  if (message.signals) watched.set(message.pid, message.signals);
  else watched.delete(message.pid);
});
process.on('disconnect', () => {
  for (const [pid, signals] of watched) {
    for (const signal of signals) {
      try { process.kill(pid, signal); } catch {}
    }
  }
  process.exit(0);
});
`;

/**
 * A helper process that signals chosen processes when this one dies without
 * cleaning up: it stops the embedded Redis, and resumes frozen workers so
 * they notice their closed IPC channel and stop.
 */
export class Guardian {
  private readonly child: ChildProcess;

  constructor() {
    this.child = spawn(process.execPath, ['-e', guardianSource], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    this.child.unref();
    this.child.channel?.unref();
  }

  /** Sends `signals` to `pid`, in order, if this process dies first. */
  watch(pid: number, signals: NodeJS.Signals[]): void {
    this.child.send?.({ pid, signals }, () => undefined);
  }

  /** Forgets `pid`. */
  unwatch(pid: number): void {
    this.child.send?.({ pid }, () => undefined);
  }

  /** Ends the guardian without signalling anything, after a normal shutdown. */
  stop(): void {
    this.child.kill();
  }
}
