import { pino, type Logger } from 'pino';
import type { EngineEventName, EngineEvents, TypedEmitter } from '../engine/index.js';
import type { LogLevel } from './config.js';

/** Creates a JSON logger that writes one line per record to stdout (or `destination`). */
export function createLogger(level: LogLevel, bindings: Record<string, unknown> = {}, destination?: NodeJS.WritableStream): Logger {
  const options = { level, base: { pid: process.pid, ...bindings }, timestamp: pino.stdTimeFunctions.isoTime };
  return destination ? pino(options, destination) : pino(options, pino.destination({ fd: 1, sync: true }));
}

type Level = 'debug' | 'info' | 'warn' | 'error';

/**
 * Log level of each engine event: per-task success is debug, lifecycle is
 * info, anything that moved a task against the plan (requeue, dead letter,
 * lost lease) is warn, connection loss and loop failures are error.
 */
export const eventLevels: Record<EngineEventName, Level> = {
  workerStarted: 'info',
  workerStopped: 'info',
  claimed: 'debug',
  acked: 'debug',
  taskLog: 'info',
  failed: 'warn',
  retried: 'info',
  deadLettered: 'warn',
  leaseLost: 'warn',
  fenced: 'warn',
  workerDead: 'warn',
  requeued: 'warn',
  leaderChanged: 'info',
  redisDisconnected: 'error',
  redisReconnected: 'info',
  loopError: 'error',
};

/** Writes every engine event of `emitter` to `logger` as `{event, ...payload}`. */
export function logEngineEvents(emitter: TypedEmitter, logger: Logger): void {
  for (const [event, level] of Object.entries(eventLevels) as Array<[EngineEventName, Level]>) {
    emitter.on(event, (payload: EngineEvents[typeof event]) => {
      // The logger's base already has `pid` (this process); a payload's pid is logged as workerPid so no key repeats.
      const { pid, ...rest } = payload as { pid?: number };
      logger[level]({ event, ...rest, ...(pid === undefined ? {} : { workerPid: pid }) }, event);
    });
  }
}
