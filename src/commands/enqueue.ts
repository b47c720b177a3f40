import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Producer, validateTaskName, TaskValidationError } from '../../engine/index.js';
import { parseIntegerSetting, UsageError } from '../config.js';
import { connectForCommand } from '../connect.js';
import { RuntimeError } from '../embedded.js';
import type { Invocation } from '../main.js';

/** `dtq-console enqueue NAME`: enqueues one task, `--count` copies, or one task per NDJSON line. */
export async function runEnqueueCommand({ args, flags, config }: Invocation): Promise<number> {
  const [name, ...extra] = args;
  if (!name) throw new UsageError('enqueue needs a task name, e.g. `dtq-console enqueue sleep --payload \'{"ms":100}\'`');
  if (extra.length > 0) throw new UsageError(`enqueue takes one task name, got also ${JSON.stringify(extra.join(' '))}`);
  try {
    validateTaskName(name);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (flags.payload !== undefined && flags.ndjson !== undefined) throw new UsageError('use either --payload or --ndjson, not both');
  if (flags.count !== undefined && flags.ndjson !== undefined) throw new UsageError('use either --count or --ndjson, not both');

  const count = flags.count === undefined ? 1 : parseIntegerSetting('--count', String(flags.count), 1, 10_000_000);
  const delayMs = flags.delayMs === undefined ? 0 : parseIntegerSetting('--delay-ms', String(flags.delayMs), 0, 365 * 86_400_000);
  const timeoutMs = flags.taskTimeoutMs === undefined ? undefined : config.taskTimeoutMs || undefined;
  const payloads = flags.ndjson !== undefined ? await readNdjson(String(flags.ndjson)) : undefined;
  const payload = flags.payload === undefined ? null : parseJson('--payload', String(flags.payload), `quote it for the shell, e.g. --payload '{"ms":100}'`);

  const { redis, target } = await connectForCommand(config);
  const producer = new Producer({ connection: redis, queue: config.queue, prefix: config.prefix, maxAttempts: config.maxAttempts });
  const options = { delayMs, timeoutMs };
  const total = payloads?.length ?? count;
  let enqueued = 0;
  try {
    // Batches keep memory flat for millions of tasks; a failure reports how many went in.
    const batchSize = 10_000;
    for (let start = 0; start < total; start += batchSize) {
      const size = Math.min(batchSize, total - start);
      const tasks = Array.from({ length: size }, (_, index) => ({ name, payload: payloads ? payloads[start + index] : payload, options }));
      await producer.enqueueBulk(tasks);
      enqueued += size;
    }
  } catch (error) {
    if (error instanceof TaskValidationError) throw new UsageError(error.message);
    throw new RuntimeError(`enqueue failed after ${enqueued} of ${total} task(s) on ${target.displayUrl}: ${(error as Error).message}`);
  } finally {
    redis.disconnect();
  }
  process.stdout.write(`enqueued ${enqueued} task(s) ${name} on queue ${config.queue}${delayMs > 0 ? `, due in ${delayMs} ms` : ''}\n`);
  return 0;
}

function parseJson(label: string, text: string, hint: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${label} is not valid JSON (${(error as Error).message}): ${hint}`);
  }
}

/** Reads one JSON payload per non-empty line; an invalid line is a usage error naming its number, and nothing is enqueued. */
async function readNdjson(source: string): Promise<unknown[]> {
  const input = source === '-' ? process.stdin : createReadStream(source);
  const payloads: unknown[] = [];
  let lineNumber = 0;
  try {
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      lineNumber++;
      if (line.trim() === '') continue;
      payloads.push(parseJson(`line ${lineNumber} of ${source === '-' ? 'stdin' : source}`, line, 'write one JSON value per line; nothing was enqueued'));
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new RuntimeError(`cannot read --ndjson ${source}: ${(error as Error).message}; check the path`);
  }
  if (payloads.length === 0) throw new UsageError(`--ndjson ${source} contains no payloads: write one JSON value per line`);
  return payloads;
}
