import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkRedisServer, Worker, workerNamePattern, type TaskHandler } from '../../engine/index.js';
import demoHandlers from '../../demo/handlers.js';
import { UsageError } from '../config.js';
import type { Logger } from 'pino';
import { retryWhileUnreachable, startupWaitMs } from '../connect.js';
import { findRedis, RuntimeError } from '../embedded.js';
import { createLogger, logEngineEvents } from '../logger.js';
import type { Invocation } from '../main.js';

/**
 * Loads a handlers module: its default export when that is an object of
 * functions, otherwise its named function exports.
 */
export async function loadHandlers(file: string | undefined): Promise<Record<string, TaskHandler>> {
  if (!file) return demoHandlers as unknown as Record<string, TaskHandler>;
  const path = resolve(file);
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    throw new RuntimeError(`cannot load --handlers ${path}: ${(error as Error).message}`);
  }

  const source = typeof module.default === 'object' && module.default !== null ? (module.default as Record<string, unknown>) : module;
  const handlers: Record<string, TaskHandler> = {};
  for (const [name, value] of Object.entries(source)) {
    if (typeof value === 'function' && name !== 'default') handlers[name] = value as TaskHandler;
  }
  if (Object.keys(handlers).length === 0) {
    throw new RuntimeError(`--handlers ${path} exports no functions: export default { taskName: async (payload, ctx) => {...} }`);
  }
  return handlers;
}

/** `dtq-console worker`: runs until SIGTERM, SIGINT or the loss of its parent console, then stops gracefully. */
export async function runWorkerCommand({ args, flags, config }: Invocation): Promise<number> {
  if (args.length > 0) throw new UsageError(`worker takes no arguments, got ${JSON.stringify(args.join(' '))}`);
  const name = (flags.name as string | undefined) ?? undefined;
  if (name !== undefined && !workerNamePattern.test(name)) {
    throw new UsageError(`invalid --name ${JSON.stringify(name)}: use 1 to 64 letters, digits, '.', '_' or '-'`);
  }
  const handlers = await loadHandlers(flags.handlers as string | undefined);
  const target = await findRedis(config);

  const worker = new Worker({
    url: target.url,
    queue: config.queue,
    prefix: config.prefix,
    name,
    handlers,
    concurrency: config.concurrency,
    heartbeatIntervalMs: config.heartbeatMs,
    heartbeatTtlMs: config.heartbeatTtlMs,
    maxAttempts: config.maxAttempts,
    taskTimeoutMs: config.taskTimeoutMs,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    audit: config.audit,
  });
  // `worker`, not `name`: engine events carry the task's `name`, and a JSON key may appear only once.
  const logger = createLogger(config.logLevel, { component: 'worker', worker: worker.name, queue: config.queue });
  logEngineEvents(worker, logger);
  // Handlers go in before start(): a SIGTERM that arrives during startup, or
  // right after the ready line, must stop the worker gracefully too.
  const exit = handleStopSignals(worker, logger, config.shutdownTimeoutMs);
  const onRetry = (message: string, retryInMs: number) => logger.warn({ event: 'redisUnreachable', error: message, retryInMs }, 'waiting for Redis');
  const checked = retryWhileUnreachable(() => checkRedisServer(worker.redis, target.displayUrl), startupWaitMs, onRetry);
  const check = await Promise.race([checked, exit.then(() => undefined)]);
  if (!check) return exit;
  for (const warning of check.warnings) logger.warn({ event: 'redisConfig' }, warning);
  await worker.start();
  logger.info({ event: 'ready', workerKey: worker.workerKey, redis: target.displayUrl, handlers: Object.keys(handlers) }, 'worker ready');
  return exit;
}

/**
 * Stops the worker on SIGTERM, SIGINT, or the loss of its parent console,
 * and resolves to the exit code once it has stopped.
 */
function handleStopSignals(worker: Worker, logger: Logger, shutdownTimeoutMs: number): Promise<number> {
  let exitCode = 0;
  return new Promise<number>((resolveExit) => {
    let stopping = false;
    const stop = (reason: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ event: 'stopping', reason, shutdownTimeoutMs }, 'stopping');
      // A hard deadline on top of the worker's own: exit even if Redis hangs every call.
      setTimeout(() => resolveExit(exitCode), shutdownTimeoutMs + 3000).unref();
      void worker.stop().then(() => resolveExit(exitCode), () => resolveExit(exitCode));
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    // A handler's stray promise must not kill the worker and its other tasks.
    process.on('unhandledRejection', (reason) => {
      logger.error({ event: 'unhandledRejection', error: reason instanceof Error ? reason.message : String(reason) }, 'a handler left a promise rejection unhandled');
    });
    // After an uncaught exception the process state is unknown: stop gracefully (running tasks get their deadline) and exit 1.
    process.on('uncaughtException', (error) => {
      logger.error({ event: 'uncaughtException', error: error.message, stack: error.stack }, 'uncaught exception; stopping the worker');
      exitCode = 1;
      stop('uncaught exception');
    });
    // Spawned by a console: the IPC channel closes when the console dies, even by SIGKILL.
    if (process.send) process.on('disconnect', () => stop('parent process exited'));
  });
}
