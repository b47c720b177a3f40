import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { redactRedisUrl } from '../engine/index.js';
import type { Config } from './config.js';
import { Guardian } from './guardian.js';
import { pingRedis, startRedisServer, type RedisServerHandle } from './redis-server.js';

/** The Redis a command talks to, and whether this process started it. */
export interface RedisTarget {
  url: string;
  /** The URL with its password hidden, for logs and the screen. */
  displayUrl: string;
  /** True when the URL is the private server dtq-console runs in `.dtq/`. */
  embedded: boolean;
  /** Set when this process started the server and must stop it. */
  server?: RedisServerHandle;
  /** Process that stops `server` if this process dies without doing so. */
  watchdog?: Guardian;
}

/** A runtime failure the user can fix: the CLI prints the message and exits 1. */
export class RuntimeError extends Error {
  override name = 'RuntimeError';
}

interface EmbeddedState {
  url: string;
  port: number;
  pid: number;
  startedAt: number;
}

function statePath(config: Config): string {
  return join(config.dataDir, 'redis.json');
}

function readState(config: Config): EmbeddedState | undefined {
  try {
    return JSON.parse(readFileSync(statePath(config), 'utf8')) as EmbeddedState;
  } catch {
    return undefined;
  }
}

async function liveState(config: Config): Promise<EmbeddedState | undefined> {
  const state = readState(config);
  if (!state || !isProcessAlive(state.pid)) return undefined;
  return (await pingRedis(state.port, 500)) ? state : undefined;
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds the Redis for a command that never starts one (worker, enqueue,
 * status): the configured URL, or the embedded server recorded in the data
 * folder by a running console or headless master.
 */
export async function findRedis(config: Config): Promise<RedisTarget> {
  if (config.redisUrl) return { url: config.redisUrl, displayUrl: redactRedisUrl(config.redisUrl), embedded: false };
  const state = await liveState(config);
  if (state) return { url: state.url, displayUrl: `${state.url} (embedded)`, embedded: true };
  throw new RuntimeError(
    `no Redis to connect to: set --redis-url or REDIS_URL, or start \`dtq-console\` or \`dtq-console --no-ui\` in this folder first (it runs an embedded Redis recorded in ${statePath(config)})`,
  );
}

/**
 * Finds or starts the Redis of the console and the headless master. Without
 * a URL it reuses a live embedded server of this data folder (another
 * console, or one left by a crash) or starts one with AOF persistence.
 */
export async function startOrFindRedis(config: Config): Promise<RedisTarget> {
  if (config.redisUrl) return findRedis(config);
  const state = await liveState(config);
  if (state) return { url: state.url, displayUrl: `${state.url} (embedded)`, embedded: true };

  let server: RedisServerHandle;
  try {
    server = await startRedisServer({ dir: join(config.dataDir, 'redis'), appendOnly: true, appendFsync: 'everysec' });
  } catch (error) {
    throw new RuntimeError((error as Error).message);
  }
  mkdirSync(config.dataDir, { recursive: true });
  const record: EmbeddedState = { url: server.url, port: server.port, pid: server.pid, startedAt: Date.now() };
  writeFileSync(statePath(config), `${JSON.stringify(record, null, 2)}\n`);
  // Stops the server if this process dies without doing so, even by SIGKILL.
  const watchdog = new Guardian();
  watchdog.watch(server.pid, ['SIGTERM']);
  return { url: server.url, displayUrl: `${server.url} (embedded)`, embedded: true, server, watchdog };
}

/** Stops an embedded server this process started and deletes its recorded address. */
export async function stopOwnedRedis(target: RedisTarget, config: Config): Promise<void> {
  if (!target.server) return;
  target.watchdog?.stop();
  await target.server.stop();
  const state = readState(config);
  if (state && state.pid === target.server.pid && existsSync(statePath(config))) rmSync(statePath(config), { force: true });
}
