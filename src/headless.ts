import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { checkRedisServer, Master, queueKeys, readSnapshot, lostCount } from '../engine/index.js';
import type { Config } from './config.js';
import { parseIntegerSetting } from './config.js';
import { retryWhileUnreachable, startupWaitMs } from './connect.js';
import { startOrFindRedis, stopOwnedRedis, type RedisTarget } from './embedded.js';
import { createLogger, logEngineEvents } from './logger.js';
import type { Flags, Invocation } from './main.js';
import { Supervisor } from './supervisor.js';

/** Path of the CLI script that worker children run. */
export const cliPath = fileURLToPath(new URL('./cli.js', import.meta.url));

const statusLogIntervalMs = 30_000;
const restartDelayMs = 1000;

/** Arguments that give worker children the same queue, timing and handlers as their parent. */
export function childWorkerArgs(config: Config, flags: Flags): string[] {
  const args = [
    '--queue', config.queue,
    '--prefix', config.prefix,
    '--data-dir', config.dataDir,
    '--heartbeat-ms', String(config.heartbeatMs),
    '--heartbeat-ttl-ms', String(config.heartbeatTtlMs),
    '--concurrency', String(config.concurrency),
    '--max-attempts', String(config.maxAttempts),
    '--task-timeout-ms', String(config.taskTimeoutMs),
    '--shutdown-timeout-ms', String(config.shutdownTimeoutMs),
    '--log-level', config.logLevel,
  ];
  if (config.audit) args.push('--audit');
  if (typeof flags.handlers === 'string') args.push('--handlers', flags.handlers);
  return args;
}

/** Creates a supervisor whose children reach `target` through REDIS_URL in their environment. */
export function createSupervisor(config: Config, flags: Flags, target: RedisTarget): Supervisor {
  return new Supervisor({
    cliPath,
    workerArgs: childWorkerArgs(config, flags),
    env: { ...process.env, REDIS_URL: target.url },
    logDir: join(config.dataDir, 'logs'),
  });
}

/** Hooks of startMaster: `attach` runs before the first sweep, so no event of it is missed. */
export interface MasterStartHooks {
  attach(master: Master): void;
  onWarning(message: string): void;
  /** How long to wait for an unreachable Redis before failing; 0 fails at once. */
  waitForRedisMs?: number;
  onRetry?(message: string, retryInMs: number): void;
}

/**
 * Finds or starts the Redis of `config` and starts a master on it. On failure
 * it stops what it started, so the caller has nothing to clean up.
 */
export async function startMaster(config: Config, hooks: MasterStartHooks): Promise<{ target: RedisTarget; master: Master }> {
  const target = await startOrFindRedis(config);
  const master = new Master({ url: target.url, queue: config.queue, prefix: config.prefix, sweepIntervalMs: config.sweepMs, maxAttempts: config.maxAttempts });
  hooks.attach(master);
  try {
    const check = await retryWhileUnreachable(() => checkRedisServer(master.redis, target.displayUrl), hooks.waitForRedisMs ?? 0, (message, retryInMs) => hooks.onRetry?.(message, retryInMs));
    for (const warning of check.warnings) hooks.onWarning(warning);
    await master.start();
  } catch (error) {
    await master.stop().catch(() => undefined);
    await stopOwnedRedis(target, config);
    throw error;
  }
  return { target, master };
}

/** `dtq-console --no-ui`: the master with JSON logs on stdout, optionally supervising N workers. */
export async function runHeadless({ args, flags, config }: Invocation): Promise<number> {
  if (args.length > 0) throw new Error(`unexpected arguments ${args.join(' ')}`);
  const workerCount = flags.workers === undefined ? 0 : parseIntegerSetting('--workers', String(flags.workers), 0, 256);
  const logger = createLogger(config.logLevel, { component: 'master', queue: config.queue });

  const { target, master } = await startMaster(config, {
    attach: (created) => logEngineEvents(created, logger),
    onWarning: (warning) => logger.warn({ event: 'redisConfig' }, warning),
    waitForRedisMs: startupWaitMs,
    onRetry: (message, retryInMs) => logger.warn({ event: 'redisUnreachable', error: message, retryInMs }, 'waiting for Redis'),
  });
  logger.info({ event: 'redis', redis: target.displayUrl, started: Boolean(target.server) }, 'redis ready');
  logger.info({ event: 'started', token: master.token, role: master.role, workers: workerCount }, 'master started');

  const supervisor = createSupervisor(config, flags, target);
  let stopping = false;
  superviseWorkers(supervisor, workerCount, () => stopping, logger);
  const statusTimer = setInterval(() => void logStatus(master, config, logger), statusLogIntervalMs);

  return new Promise<number>((resolve) => {
    const stop = async (reason: string) => {
      if (stopping) {
        logger.warn({ event: 'forcedExit', reason }, 'second signal: exiting now');
        process.exit(1);
      }
      stopping = true;
      clearInterval(statusTimer);
      logger.info({ event: 'stopping', reason }, 'stopping');
      await supervisor.stopAll(config.shutdownTimeoutMs + 2000);
      await master.stop();
      await stopOwnedRedis(target, config);
      logger.info({ event: 'stopped' }, 'stopped');
      resolve(0);
    };
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGINT', () => void stop('SIGINT'));
  });
}

/** Starts `count` workers and restarts any that exits while the master runs. */
function superviseWorkers(supervisor: Supervisor, count: number, isStopping: () => boolean, logger: ReturnType<typeof createLogger>): void {
  const known = new Set<string>();
  supervisor.on('change', () => {
    for (const worker of supervisor.list()) {
      if (worker.state !== 'exited' || known.has(`${worker.name}:${worker.pid}`)) continue;
      known.add(`${worker.name}:${worker.pid}`);
      if (isStopping()) continue;
      logger.warn({ event: 'workerExited', name: worker.name, workerPid: worker.pid, code: worker.exitCode, signal: worker.exitSignal, restartInMs: restartDelayMs }, 'worker process exited; restarting');
      setTimeout(() => {
        if (isStopping()) return;
        const restarted = supervisor.spawn(worker.name);
        logger.info({ event: 'workerSpawned', name: restarted.name, workerPid: restarted.pid, log: restarted.logPath }, 'worker restarted');
      }, restartDelayMs);
    }
  });
  for (let i = 0; i < count; i++) {
    const worker = supervisor.spawn();
    logger.info({ event: 'workerSpawned', name: worker.name, workerPid: worker.pid, log: worker.logPath }, 'worker spawned');
  }
}

async function logStatus(master: Master, config: Config, logger: ReturnType<typeof createLogger>): Promise<void> {
  try {
    const snapshot = await readSnapshot(master.redis, queueKeys(config.prefix, config.queue), { pendingHeadCount: 0, rowsPerWorker: 0, eventCount: 0, maxWorkerRows: 0 });
    logger.info({
      event: 'status',
      role: master.role,
      pending: snapshot.pendingCount,
      processing: snapshot.processingCount,
      delayed: snapshot.delayedCount,
      dead: snapshot.deadCount,
      workers: snapshot.workerCount,
      lost: lostCount(snapshot),
      stats: snapshot.stats,
    }, 'status');
  } catch (error) {
    logger.error({ event: 'statusFailed', error: (error as Error).message }, 'status read failed');
  }
}
