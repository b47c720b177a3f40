import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueKeys } from '../../engine/index.js';
import { runCli } from '../support/processes.js';
import { freshQueueName, startTestRedis } from '../support/redis.js';

let redis: Awaited<ReturnType<typeof startTestRedis>>;
const scratch = mkdtempSync(join(tmpdir(), 'dtq-cli-'));
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis.cleanup();
});

/** Runs the CLI in an empty folder, so no .env or embedded Redis of the repository leaks in. */
function cli(args: string[], env: NodeJS.ProcessEnv = {}, input?: string) {
  return runCli(['--data-dir', join(scratch, 'data'), ...args], { REDIS_URL: '', ...env }, input);
}

describe('CLI usage errors exit 2', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['unknown flag', ['status', '--bogus'], /bogus/i],
    ['unknown command', ['frobnicate'], /unknown command "frobnicate"/],
    ['bad number', ['worker', '--concurrency', 'lots'], /invalid value "lots" for --concurrency/],
    ['number out of range', ['worker', '--concurrency', '0'], /from 1 to 10000/],
    ['missing value', ['enqueue', 'sleep', '--payload'], /--payload needs a value/],
    ['missing task name', ['enqueue'], /enqueue needs a task name/],
    ['invalid payload JSON', ['enqueue', 'sleep', '--payload', '{nope'], /--payload is not valid JSON/],
    ['flag of another command', ['status', '--count', '3'], /--count does not apply to `status`/],
    ['TTL not above interval', ['worker', '--heartbeat-ms', '3000', '--heartbeat-ttl-ms', '3000'], /must exceed --heartbeat-ms/],
    ['bad Redis URL', ['status', '--redis-url', 'http://x'], /use redis:\/\/ or rediss:\/\//],
    ['bad queue name', ['status', '--queue', 'a:b'], /invalid queue name/],
    ['dead without action', ['dead'], /dead needs an action/],
    ['console without a terminal', [], /--no-ui/],
  ];
  for (const [title, args, message] of cases) {
    it(title, () => {
      const result = cli(args);
      expect(result.stderr).toMatch(message);
      expect(result.code).toBe(2);
    });
  }

  it('bad number in the environment names the variable', () => {
    const result = cli(['status'], { DTQ_SWEEP_MS: 'soon' });
    expect(result.stderr).toMatch(/invalid value "soon" for DTQ_SWEEP_MS/);
    expect(result.code).toBe(2);
  });

  it('bad number in .env names the file', () => {
    const folder = mkdtempSync(join(tmpdir(), 'dtq-dotenv-'));
    writeFileSync(join(folder, '.env'), 'DTQ_MAX_ATTEMPTS=many\n');
    const result = runCliIn(folder, ['status']);
    expect(result.stderr).toMatch(/DTQ_MAX_ATTEMPTS in \.env/);
    expect(result.code).toBe(2);
  });
});

function runCliIn(folder: string, args: string[]) {
  const previous = process.cwd();
  process.chdir(folder);
  try {
    return runCli(args, { REDIS_URL: '' });
  } finally {
    process.chdir(previous);
  }
}

describe('CLI runtime failures exit 1', () => {
  it('status without any Redis says how to get one', () => {
    const result = cli(['status']);
    expect(result.stderr).toMatch(/no Redis to connect to: set --redis-url or REDIS_URL/);
    expect(result.code).toBe(1);
  });

  it('unreachable Redis hides the password', () => {
    const result = cli(['status', '--redis-url', 'redis://user:hunter2@127.0.0.1:1']);
    expect(result.stderr).toMatch(/cannot reach Redis at redis:\/\/user:\*\*\*@127\.0\.0\.1:1/);
    expect(result.stderr).not.toContain('hunter2');
    expect(result.code).toBe(1);
  });

  it('missing handlers module names the path', () => {
    const result = cli(['worker', '--redis-url', redis.url, '--handlers', join(scratch, 'none.js')]);
    expect(result.stderr).toMatch(/cannot load --handlers .*none\.js/);
    expect(result.code).toBe(1);
  });
});

describe('CLI commands', () => {
  it('prints help and version with exit 0', () => {
    expect(cli(['--help']).code).toBe(0);
    expect(cli(['--help']).stdout).toContain('dtq-console enqueue NAME');
    expect(cli(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('enqueues with --count and --ndjson and reports status', () => {
    const queue = freshQueueName('cli');
    const env = { REDIS_URL: redis.url };
    expect(cli(['enqueue', 'echo', '--queue', queue, '--count', '3', '--payload', '{"a":1}'], env).code).toBe(0);
    const ndjson = join(scratch, 'tasks.ndjson');
    writeFileSync(ndjson, '{"n":1}\n\n{"n":2}\n');
    expect(cli(['enqueue', 'echo', '--queue', queue, '--ndjson', ndjson], env).code).toBe(0);
    expect(cli(['enqueue', 'echo', '--queue', queue, '--ndjson', '-'], env, '{"n":3}\n').code).toBe(0);

    const status = cli(['status', '--queue', queue, '--json'], env);
    expect(status.code).toBe(0);
    const snapshot = JSON.parse(status.stdout) as { pendingCount: number; lost: number; stats: Record<string, number> };
    expect(snapshot.pendingCount).toBe(6);
    expect(snapshot.stats.enqueued).toBe(6);
    expect(snapshot.lost).toBe(0);
  });

  it('rejects a bad NDJSON line and enqueues nothing', async () => {
    const queue = freshQueueName('ndjson');
    const ndjson = join(scratch, 'bad.ndjson');
    writeFileSync(ndjson, '{"n":1}\n{oops\n');
    const result = cli(['enqueue', 'echo', '--queue', queue, '--ndjson', ndjson], { REDIS_URL: redis.url });
    expect(result.stderr).toMatch(/line 2 of .*bad\.ndjson is not valid JSON/);
    expect(result.code).toBe(2);
    expect(await redis.client.llen(queueKeys('dtq', queue).pending)).toBe(0);
  });

  it('pauses, resumes and manages the dead-letter list', async () => {
    const queue = freshQueueName('admin');
    const keys = queueKeys('dtq', queue);
    const env = { REDIS_URL: redis.url };
    expect(cli(['pause', '--queue', queue], env).code).toBe(0);
    expect(await redis.client.exists(keys.paused)).toBe(1);
    expect(cli(['resume', '--queue', queue], env).code).toBe(0);
    expect(await redis.client.exists(keys.paused)).toBe(0);

    const envelope = (id: string) => JSON.stringify({ id, name: 'echo', payload: null, attempt: 5, maxAttempts: 5, enqueuedAt: 1 });
    await redis.client.lpush(keys.dead, ...['a', 'b', 'c'].map((id) => JSON.stringify({ entry: envelope(id), reason: 'test', at: 1, taskId: id })));
    await redis.client.hset(keys.stats, 'dead', 3);
    const list = JSON.parse(cli(['dead', 'list', '--json', '--queue', queue], env).stdout) as Array<{ taskId: string }>;
    expect(list.map((record) => record.taskId)).toEqual(['c', 'b', 'a']);

    const requeueOne = cli(['dead', 'requeue', 'b', 'zzz', '--queue', queue], env);
    expect(requeueOne.stdout).toContain('requeued 1 dead-letter record(s)');
    expect(requeueOne.stdout).toContain('not found in the dead-letter list: zzz');
    expect(requeueOne.code).toBe(1);
    const revived = JSON.parse((await redis.client.lindex(keys.pending, 0)) as string) as { id: string; attempt: number };
    expect(revived).toMatchObject({ id: 'b', attempt: 1 });

    expect(cli(['dead', 'requeue', '--all', '--queue', queue], env).stdout).toContain('requeued 2 dead-letter record(s)');
    expect(await redis.client.llen(keys.pending)).toBe(3);
    await redis.client.lpush(keys.dead, 'x', 'y');
    expect(cli(['dead', 'purge', '--queue', queue], env).stdout).toContain('purged 2 dead-letter record(s)');
    expect(await redis.client.llen(keys.dead)).toBe(0);
  });
});
