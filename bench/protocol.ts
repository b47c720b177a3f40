/** Messages between the benchmark and its worker processes, over the Node IPC channel. */

/** The two queues compared, and 'raw', the bare LMOVE/LREM loop of raw-loop.ts that shows the limit. */
export type SystemName = 'dtq' | 'bullmq' | 'raw';

/** Settings of one worker process, passed as its only argument in JSON. */
export interface WorkerProcessConfig {
  system: SystemName;
  redisUrl: string;
  queue: string;
  concurrency: number;
  /** 'noop' finishes each task at once; 'hold' keeps each task until the process dies. */
  handler: 'noop' | 'hold';
  name: string;
}

export type ParentMessage = { type: 'start' } | { type: 'report' } | { type: 'stop' };

/** Resource use of one worker process between `start` and `report`. */
export interface WorkerReport {
  completedCount: number;
  /** Wall-clock time of the last completion, in ms since the epoch; 0 when none completed. */
  lastCompletedAtMs: number;
  /** User plus system CPU time since `start`, in microseconds. */
  cpuUs: number;
  /** Peak resident set size of the process, in KiB. */
  maxRssKb: number;
}

export type ChildMessage =
  | { type: 'ready'; workerKey?: string }
  | { type: 'progress'; completedCount: number }
  | { type: 'claimed'; taskId: string; workerKey?: string }
  | ({ type: 'report' } & WorkerReport);
