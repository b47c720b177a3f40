import { listDead, pauseQueue, purgeDead, queueKeys, requeueDead, resumeQueue } from '../../engine/index.js';
import { parseIntegerSetting, UsageError } from '../config.js';
import { connectForCommand } from '../connect.js';
import type { Invocation } from '../main.js';

/** `pause`, `resume` and `dead list|requeue|purge`. */
export async function runAdminCommand({ command, args, flags, config }: Invocation): Promise<number> {
  const [action, ...rest] = args;
  if (command !== 'dead' && args.length > 0) throw new UsageError(`${command} takes no arguments, got ${JSON.stringify(args.join(' '))}`);
  if (command === 'dead') checkDeadArguments(action, rest, flags);
  const limit = flags.limit === undefined ? 20 : parseIntegerSetting('--limit', String(flags.limit), 1, 100_000);

  const { redis } = await connectForCommand(config);
  const keys = queueKeys(config.prefix, config.queue);
  const write = (text: string) => process.stdout.write(`${text}\n`);
  try {
    if (command === 'pause') {
      await pauseQueue(redis, keys);
      write(`queue ${config.queue} paused: workers finish what they hold and claim nothing until \`dtq-console resume\``);
    } else if (command === 'resume') {
      await resumeQueue(redis, keys);
      write(`queue ${config.queue} resumed`);
    } else if (action === 'list') {
      const records = await listDead(redis, keys, limit);
      if (flags.json) write(JSON.stringify(records.map(({ raw: _raw, ...record }) => record), null, 2));
      else if (records.length === 0) write('the dead-letter list is empty');
      else for (const record of records) write(`${new Date(record.atMs).toISOString()}  ${record.taskId ?? '(no id)'}  ${record.reason}\n    ${record.entry.slice(0, 200)}`);
    } else if (action === 'requeue') {
      const { requeuedCount, missingIds } = await requeueDead(redis, keys, flags.all ? undefined : rest);
      write(`requeued ${requeuedCount} dead-letter record(s) onto pending`);
      if (missingIds.length > 0) write(`not found in the dead-letter list: ${missingIds.join(', ')}`);
      return missingIds.length > 0 ? 1 : 0;
    } else {
      write(`purged ${await purgeDead(redis, keys)} dead-letter record(s)`);
    }
  } finally {
    redis.disconnect();
  }
  return 0;
}

function checkDeadArguments(action: string | undefined, rest: string[], flags: Record<string, unknown>): void {
  if (action !== 'list' && action !== 'requeue' && action !== 'purge') {
    const received = action === undefined ? 'dead needs an action' : `unknown dead action ${JSON.stringify(action)}`;
    throw new UsageError(`${received}: use \`dead list\`, \`dead requeue --all\`, \`dead requeue ID...\` or \`dead purge\``);
  }
  if (action === 'requeue' && !flags.all && rest.length === 0) throw new UsageError('dead requeue needs --all or one or more task ids');
  if (action === 'requeue' && flags.all && rest.length > 0) throw new UsageError('dead requeue takes either --all or task ids, not both');
  if (action !== 'requeue' && flags.all) throw new UsageError('--all applies only to `dead requeue`');
  if (action !== 'requeue' && rest.length > 0) throw new UsageError(`dead ${action} takes no further arguments`);
}
