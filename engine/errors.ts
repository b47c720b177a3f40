/** An invalid option or name given to the engine; the message names the option, the value and the allowed range. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** A task that cannot be enqueued as given (bad name, payload not JSON-serialisable, too large). */
export class TaskValidationError extends Error {
  override name = 'TaskValidationError';
}

/** Redis is unreachable, too old, or refused a command the engine needs. */
export class RedisSetupError extends Error {
  override name = 'RedisSetupError';
}

/** Redis did not reply at all: worth retrying, unlike a wrong password or an old version. */
export class RedisUnreachableError extends RedisSetupError {
  override name = 'RedisUnreachableError';
}

/** Outcome codes the Lua scripts return for expected, non-error results. */
export const ScriptCode = {
  ok: 1,
  leaseLost: -1,
  fenced: -2,
  paused: -3,
  notLeader: -4,
} as const;
export type ScriptCode = (typeof ScriptCode)[keyof typeof ScriptCode];

/** Turns a script code into a message naming the operation, the task and the state. */
export function describeScriptCode(code: number, operation: string, taskId?: string): string {
  const task = taskId ? ` of task ${taskId}` : '';
  switch (code) {
    case ScriptCode.leaseLost:
      return `${operation}${task} found nothing to remove: the master had declared this worker dead and requeued the task (lease lost)`;
    case ScriptCode.fenced:
      return `${operation}${task} rejected: this worker incarnation is no longer registered (declared dead)`;
    case ScriptCode.paused:
      return `${operation} skipped: the queue is paused`;
    case ScriptCode.notLeader:
      return `${operation} skipped: this master does not hold the leader lease`;
    default:
      return `${operation}${task} returned unexpected code ${code}`;
  }
}
