import { performance } from 'node:perf_hooks';
import { freshQueue, scaled, systemsInOrder, type BenchContext } from './context.js';
import { openProducer } from './producers.js';
import type { SystemName } from './protocol.js';
import { readCommandStats, readServerCounters, resetCommandStats, totalCommands } from './redis-info.js';

/** One timed bulk enqueue. */
export interface EnqueueSample {
  system: SystemName;
  taskCount: number;
  tasksPerSecond: number;
  redisCpuUsPerTask: number;
  /** CPU time of the benchmark process, which builds and sends the tasks, per task. */
  nodeCpuUsPerTask: number;
  commandsPerTask: number;
}

const taskCount = 50_000;

/** Measures bulk enqueue of small tasks, `context.runs` times per system, alternating systems. */
export async function runEnqueueCase(context: BenchContext): Promise<EnqueueSample[]> {
  const samples: EnqueueSample[] = [];
  const count = scaled(context, taskCount);
  for (let runIndex = 0; runIndex < context.runs; runIndex++) {
    for (const system of systemsInOrder(runIndex)) {
      const sample = await measureEnqueue(context, system, count);
      context.log(`enqueue ${system} run ${runIndex + 1}: ${Math.round(sample.tasksPerSecond)} tasks/s`);
      samples.push(sample);
    }
  }
  return samples;
}

async function measureEnqueue(context: BenchContext, system: SystemName, count: number): Promise<EnqueueSample> {
  const { admin } = context;
  const producer = await openProducer(system, context.redisUrl, freshQueue(`enqueue-${system}`));
  try {
    // A first small call loads the system's scripts into Redis; FLUSHALL keeps the script cache.
    await producer.enqueue(1, 'noop');
    await admin.flushall();

    const before = await readServerCounters(admin);
    await resetCommandStats(admin);
    const cpuBefore = process.cpuUsage();
    const startMs = performance.now();
    await producer.enqueue(count, 'noop');
    const elapsedMs = performance.now() - startMs;
    const cpu = process.cpuUsage(cpuBefore);
    const after = await readServerCounters(admin);
    const commands = totalCommands(await readCommandStats(admin));

    return {
      system,
      taskCount: count,
      tasksPerSecond: (count * 1000) / elapsedMs,
      redisCpuUsPerTask: (after.cpuUs - before.cpuUs) / count,
      nodeCpuUsPerTask: (cpu.user + cpu.system) / count,
      commandsPerTask: commands.executed / count,
    };
  } finally {
    await producer.close();
    await admin.flushall();
  }
}
