import { freshQueue, scaled, systemsInOrder, type BenchContext } from './context.js';
import { openProducer } from './producers.js';
import type { SystemName } from './protocol.js';
import { readCommandStats, readServerCounters, resetCommandStats, totalCommands } from './redis-info.js';
import { startWorkerProcesses, waitForCompletions } from './worker-pool.js';

/** Concurrency per worker process and number of worker processes of one processing run. */
export interface ProcessingShape {
  concurrency: number;
  processCount: number;
}

/** One end-to-end run: a pre-filled queue drained by worker processes with a no-op handler. */
export interface ProcessingSample extends ProcessingShape {
  system: SystemName;
  taskCount: number;
  tasksPerSecond: number;
  redisCpuUsPerTask: number;
  /** CPU time of all worker processes per task. */
  nodeCpuUsPerTask: number;
  /** Commands Redis executed per task, counting those run inside scripts. */
  commandsPerTask: number;
  /** EVAL/EVALSHA calls per task. */
  scriptCallsPerTask: number;
  /** Largest peak RSS among the worker processes, in MiB. */
  maxRssMib: number;
  /** Calls per task of each command, for finding where Redis time goes. */
  commandBreakdown: Record<string, { callsPerTask: number; usecPerTask: number }>;
}

export const processingShapes: readonly ProcessingShape[] = [
  { concurrency: 1, processCount: 1 },
  { concurrency: 8, processCount: 1 },
  { concurrency: 32, processCount: 1 },
  { concurrency: 1, processCount: 2 },
  { concurrency: 8, processCount: 2 },
  { concurrency: 32, processCount: 2 },
];

/** Tasks per run, sized so the slower system takes one to two seconds on a 2-core machine. */
function taskCountFor(shape: ProcessingShape): number {
  const slots = shape.concurrency * shape.processCount;
  if (slots <= 2) return 6_000;
  if (slots <= 16) return 25_000;
  return 40_000;
}

const completionTimeoutMs = 120_000;

/** Measures every shape `context.runs` times per system, alternating systems. */
export async function runProcessingCase(context: BenchContext, shapes = processingShapes): Promise<ProcessingSample[]> {
  const samples: ProcessingSample[] = [];
  for (const shape of shapes) {
    for (let runIndex = 0; runIndex < context.runs; runIndex++) {
      for (const system of systemsInOrder(runIndex)) {
        const sample = await measureProcessing(context, system, shape, scaled(context, taskCountFor(shape)));
        context.log(
          `process ${system} c=${shape.concurrency} x${shape.processCount} run ${runIndex + 1}: ${Math.round(sample.tasksPerSecond)} tasks/s, ` +
            `${sample.commandsPerTask.toFixed(2)} commands/task, ${sample.redisCpuUsPerTask.toFixed(1)} µs Redis CPU/task`,
        );
        samples.push(sample);
      }
    }
  }
  return samples;
}

async function measureProcessing(context: BenchContext, system: SystemName, shape: ProcessingShape, taskCount: number): Promise<ProcessingSample> {
  const { admin } = context;
  const queue = freshQueue(`process-${system}`);
  const producer = await openProducer(system, context.redisUrl, queue);
  await producer.enqueue(taskCount, 'noop');
  await producer.close();

  const workers = await startWorkerProcesses(shape.processCount, {
    system,
    redisUrl: context.redisUrl,
    queue,
    concurrency: shape.concurrency,
    handler: 'noop',
  });
  try {
    const before = await readServerCounters(admin);
    await resetCommandStats(admin);
    const startMs = Date.now();
    for (const worker of workers) worker.send({ type: 'start' });
    await waitForCompletions(workers, taskCount, completionTimeoutMs);
    const after = await readServerCounters(admin);
    const stats = await readCommandStats(admin);
    const reports = await Promise.all(workers.map((worker) => worker.report()));

    const endMs = Math.max(...reports.map((report) => report.lastCompletedAtMs));
    const commands = totalCommands(stats);
    const commandBreakdown: ProcessingSample['commandBreakdown'] = {};
    for (const [name, stat] of stats) commandBreakdown[name] = { callsPerTask: stat.calls / taskCount, usecPerTask: stat.usec / taskCount };
    return {
      system,
      ...shape,
      taskCount,
      tasksPerSecond: (taskCount * 1000) / Math.max(1, endMs - startMs),
      redisCpuUsPerTask: (after.cpuUs - before.cpuUs) / taskCount,
      nodeCpuUsPerTask: reports.reduce((sum, report) => sum + report.cpuUs, 0) / taskCount,
      commandsPerTask: commands.executed / taskCount,
      scriptCallsPerTask: commands.scriptCalls / taskCount,
      maxRssMib: Math.max(...reports.map((report) => report.maxRssKb)) / 1024,
      commandBreakdown,
    };
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
    await admin.flushall();
  }
}
