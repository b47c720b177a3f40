import { lostCount, queueKeys, readSnapshot, type QueueSnapshot, type WorkerSnapshot } from '../../engine/index.js';
import { decodeEnvelope } from '../../engine/index.js';
import { UsageError } from '../config.js';
import { connectForCommand } from '../connect.js';
import type { Invocation } from '../main.js';

/** `dtq-console status`: one atomic snapshot of the queue, as text or JSON. */
export async function runStatusCommand({ args, flags, config }: Invocation): Promise<number> {
  if (args.length > 0) throw new UsageError(`status takes no arguments, got ${JSON.stringify(args.join(' '))}`);
  const { redis, target } = await connectForCommand(config);
  try {
    const snapshot = await readSnapshot(redis, queueKeys(config.prefix, config.queue), { pendingHeadCount: 1, rowsPerWorker: 10 });
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ queue: config.queue, redis: target.displayUrl, lost: lostCount(snapshot), ...snapshot }, null, 2)}\n`);
    } else {
      process.stdout.write(formatStatus(snapshot, config.queue, target.displayUrl));
    }
  } finally {
    redis.disconnect();
  }
  return 0;
}

/** Formats a snapshot as the human-readable `status` output. */
export function formatStatus(snapshot: QueueSnapshot, queue: string, displayUrl: string): string {
  const { stats } = snapshot;
  const lines = [
    `queue ${queue} on ${displayUrl}`,
    `master: ${snapshot.master || 'none (until a master runs, tasks of dead workers are not requeued and retries and delayed tasks wait)'}${snapshot.paused ? '   PAUSED' : ''}`,
    `pending ${snapshot.pendingCount}   processing ${snapshot.processingCount}   delayed ${snapshot.delayedCount}   dead ${snapshot.deadCount}   completed ${stats.completed ?? 0}   lost ${lostCount(snapshot)}`,
  ];
  const oldest = snapshot.pendingHead[0] ? decodeEnvelope(snapshot.pendingHead[0], Number.MAX_SAFE_INTEGER) : undefined;
  if (oldest?.ok && oldest.envelope.enqueuedAt > 0) {
    // The next task out is not always the oldest: recovered tasks go to the front of the line.
    lines.push(`next pending: ${formatSeconds(snapshot.serverTimeMs - oldest.envelope.enqueuedAt)} old (${oldest.envelope.name} ${oldest.envelope.id})`);
  }
  lines.push(`workers: ${snapshot.workerCount}`);
  for (const worker of snapshot.workers) lines.push(`  ${formatWorker(worker)}`);
  const counters = Object.entries(stats).map(([name, value]) => `${name}=${value}`).join(' ');
  lines.push(`counters: ${counters || 'none yet'}`);
  return `${lines.join('\n')}\n`;
}

function formatWorker(worker: WorkerSnapshot): string {
  const heartbeat =
    worker.heartbeatTtlLeftMs < 0
      ? 'heartbeat EXPIRED (master will requeue its tasks)'
      : worker.heartbeatTtlMs
        ? `heartbeat ${formatSeconds(worker.heartbeatTtlMs - worker.heartbeatTtlLeftMs)} ago (ttl ${formatSeconds(worker.heartbeatTtlMs)})`
        : `heartbeat expires in ${formatSeconds(worker.heartbeatTtlLeftMs)}`;
  return `${worker.workerKey}  pid ${worker.pid ?? '?'} on ${worker.host ?? '?'}  ${heartbeat}  holding ${worker.processingCount}  completed ${worker.completedCount}`;
}

function formatSeconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
}
