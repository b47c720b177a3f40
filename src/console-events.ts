import type { StreamEvent } from '../engine/index.js';
import { eventLevels } from './logger.js';

/** Severity of a line in the events pane. */
export type EventLevel = 'info' | 'warn' | 'error';

/** One line of the events pane. */
export interface ConsoleEvent {
  /** Stream id for events read from Redis, `local-N` for the console's own. */
  id: string;
  atMs: number;
  level: EventLevel;
  text: string;
}

/** Turns one entry of the events stream into a line at the level the JSON log gives it, or undefined for an unknown type. */
export function describeStreamEvent(event: StreamEvent): ConsoleEvent | undefined {
  const logLevel = (eventLevels as Record<string, string | undefined>)[event.type];
  if (!logLevel) return undefined;
  const level: EventLevel = logLevel === 'warn' || logLevel === 'error' ? logLevel : 'info';
  return { id: event.id, atMs: event.atMs, level, text: streamEventText(event.type, event.data) };
}

function streamEventText(type: string, data: Record<string, unknown>): string {
  const worker = text(data.workerKey);
  switch (type) {
    case 'workerStarted':
      return `${worker} started (pid ${text(data.pid)}, concurrency ${text(data.concurrency)})`;
    case 'workerStopped':
      return `${worker} stopped and released ${text(data.releasedCount)} task(s) to pending`;
    case 'deadLettered':
      return `dead-lettered ${data.taskId ? `task ${text(data.taskId)}${data.name ? ` (${text(data.name)})` : ''}` : 'an entry'}: ${text(data.reason)}`;
    case 'leaseLost':
      return `${worker} lost the lease on task ${text(data.taskId)} at ${text(data.operation)}: the task was requeued while it ran`;
    case 'fenced':
      return `${worker} found itself declared dead: aborted ${text(data.abortedCount)} task(s), now ${text(data.newWorkerKey)}`;
    case 'workerDead':
      return `${worker} declared dead (heartbeat expired) holding ${text(data.heldCount)} task(s)`;
    case 'requeued':
      return `recovery: requeued ${text(data.requeuedCount)} task(s) of ${worker}${Number(data.deadLetteredCount) > 0 ? `, dead-lettered ${text(data.deadLetteredCount)} poison task(s)` : ''}`;
    case 'leaderChanged':
      return `master ${text(data.token)} is now ${text(data.role)}`;
    default:
      return type;
  }
}

function text(value: unknown): string {
  if (value === undefined || value === null) return '?';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Orders stream ids (`ms-seq`) numerically; ids of other forms sort first. */
export function compareStreamIds(left: string, right: string): number {
  const [leftMs = 0, leftSeq = 0] = left.split('-').map(Number);
  const [rightMs = 0, rightSeq = 0] = right.split('-').map(Number);
  return leftMs - rightMs || leftSeq - rightSeq;
}
