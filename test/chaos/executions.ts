import { closeSync, existsSync, openSync, readSync, fstatSync } from 'node:fs';
import type { ExecutionRecord } from './handlers.js';

export type { ExecutionRecord } from './handlers.js';

/**
 * Reads the execution log the chaos handlers append to, incrementally: each
 * poll() returns the records written since the last one. A line still being
 * written (no newline yet) waits for the next poll.
 */
export class ExecutionLog {
  readonly records: ExecutionRecord[] = [];
  private offset = 0;
  private partial = '';

  constructor(readonly path: string) {}

  poll(): ExecutionRecord[] {
    if (!existsSync(this.path)) return [];
    const fd = openSync(this.path, 'r');
    let text = '';
    try {
      const size = fstatSync(fd).size;
      if (size <= this.offset) return [];
      const buffer = Buffer.alloc(size - this.offset);
      const readCount = readSync(fd, buffer, 0, buffer.length, this.offset);
      this.offset += readCount;
      text = this.partial + buffer.subarray(0, readCount).toString('utf8');
    } finally {
      closeSync(fd);
    }

    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    const fresh = lines.filter((line) => line.length > 0).map((line) => JSON.parse(line) as ExecutionRecord);
    this.records.push(...fresh);
    return fresh;
  }
}

/** Tasks each worker process is running now, as the execution log shows them. */
export class OpenExecutions {
  private readonly byPid = new Map<number, Map<string, ExecutionRecord>>();

  apply(records: readonly ExecutionRecord[]): void {
    for (const record of records) {
      const open = this.byPid.get(record.pid) ?? new Map<string, ExecutionRecord>();
      this.byPid.set(record.pid, open);
      const key = `${record.taskId}#${record.attempt}`;
      if (record.event === 'start') open.set(key, record);
      else open.delete(key);
    }
  }

  /** Forgets a process that exited: whatever it ran is no longer running. */
  forget(pid: number): void {
    this.byPid.delete(pid);
  }

  /** Executions running in process `pid`. */
  of(pid: number): ExecutionRecord[] {
    return [...(this.byPid.get(pid)?.values() ?? [])];
  }

  count(pid: number): number {
    return this.byPid.get(pid)?.size ?? 0;
  }

  total(): number {
    let count = 0;
    for (const open of this.byPid.values()) count += open.size;
    return count;
  }
}
