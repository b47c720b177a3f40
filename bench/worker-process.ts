/**
 * One benchmark worker process: a dtq-console or BullMQ worker with a no-op
 * (or never-ending) handler, driven by its parent over IPC. Running workers in
 * their own processes lets the benchmark read each one's CPU time and peak
 * RSS, and lets the recovery case kill one with SIGKILL.
 */
import { readFileSync } from 'node:fs';
import { Worker as BullWorker } from 'bullmq';
import { Worker } from '../engine/index.js';
import type { ChildMessage, ParentMessage, WorkerProcessConfig } from './protocol.js';
import { openRawConnections, startRawLoops } from './raw-loop.js';

const progressIntervalMs = 50;

interface Runner {
  /** Starts claiming tasks. */
  start(): Promise<void> | void;
  stop(): Promise<void>;
}

const config = JSON.parse(process.argv[2] ?? '{}') as WorkerProcessConfig;
let completedCount = 0;
let lastCompletedAtMs = 0;
let cpuAtStart = process.cpuUsage();

/**
 * Reads this process's peak RSS in KiB. Linux carries getrusage's maxrss
 * across exec, so a forked child would report its parent's peak. VmHWM in
 * /proc/self/status belongs to this process image alone; other systems fall
 * back to maxrss.
 */
function readPeakRssKb(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]);
  } catch {
    // No procfs: use maxrss below.
  }
  return process.resourceUsage().maxRSS;
}

function send(message: ChildMessage): void {
  process.send?.(message);
}

function countCompletion(): void {
  completedCount++;
  lastCompletedAtMs = Date.now();
}

/** Returns a promise that never settles, so a held task stays claimed until the process is killed. */
function holdForever(): Promise<void> {
  return new Promise(() => undefined);
}

async function createDtqRunner(): Promise<Runner> {
  const worker = new Worker({
    url: config.redisUrl,
    queue: config.queue,
    name: config.name,
    concurrency: config.concurrency,
    handlers: {
      noop: () => undefined,
      hold: (_payload, context) => new Promise<void>((resolve) => context.signal.addEventListener('abort', () => resolve())),
    },
  });
  worker.on('acked', countCompletion);
  worker.on('claimed', ({ taskId, workerKey }) => {
    if (config.handler === 'hold') send({ type: 'claimed', taskId, workerKey });
  });
  await worker.redis.connect();
  return {
    start: () => worker.start(),
    stop: async () => {
      await worker.stop(0);
    },
  };
}

async function createBullRunner(): Promise<Runner> {
  const url = new URL(config.redisUrl);
  const worker = new BullWorker(
    config.queue,
    async (job) => {
      if (config.handler === 'hold') {
        send({ type: 'claimed', taskId: String(job.id) });
        await holdForever();
      }
    },
    {
      connection: { host: url.hostname, port: Number(url.port), maxRetriesPerRequest: null },
      concurrency: config.concurrency,
      autorun: false,
      removeOnComplete: { count: 0 },
    },
  );
  worker.on('completed', countCompletion);
  worker.on('error', (error) => console.error(`bench worker ${config.name}: ${error.message}`));
  await worker.waitUntilReady();
  return {
    start: () => {
      void worker.run();
    },
    stop: () => worker.close(true),
  };
}

async function createRawRunner(): Promise<Runner> {
  const connections = await openRawConnections(config.redisUrl);
  let loops: { stop(): Promise<void> } | undefined;
  return {
    start: () => {
      loops = startRawLoops(connections, config.queue, config.concurrency, countCompletion);
    },
    stop: async () => {
      await loops?.stop();
    },
  };
}

async function main(): Promise<void> {
  const create = { dtq: createDtqRunner, bullmq: createBullRunner, raw: createRawRunner }[config.system];
  const runner = await create();
  let lastSentCount = -1;
  const progressTimer = setInterval(() => {
    if (completedCount === lastSentCount) return;
    lastSentCount = completedCount;
    send({ type: 'progress', completedCount });
  }, progressIntervalMs);

  process.on('message', (message: ParentMessage) => {
    if (message.type === 'start') {
      cpuAtStart = process.cpuUsage();
      void runner.start();
    } else if (message.type === 'report') {
      const cpu = process.cpuUsage(cpuAtStart);
      send({ type: 'report', completedCount, lastCompletedAtMs, cpuUs: cpu.user + cpu.system, maxRssKb: readPeakRssKb() });
    } else if (message.type === 'stop') {
      clearInterval(progressTimer);
      void runner.stop().finally(() => process.exit(0));
    }
  });
  send({ type: 'ready' });
}

main().catch((error: unknown) => {
  console.error(`bench worker ${config.name} failed: ${(error as Error).message}`);
  process.exit(1);
});
