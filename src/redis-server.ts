import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer, createConnection } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { waitUpTo } from '../engine/timing.js';

/** Options of a private redis-server process. */
export interface RedisServerOptions {
  /** Folder for the AOF files and the log. */
  dir: string;
  /** Keep an append-only file so tasks survive a restart. @default true */
  appendOnly?: boolean;
  /** AOF fsync policy: 'everysec' (lose at most about a second on power loss) or 'always'. @default 'everysec' */
  appendFsync?: 'always' | 'everysec' | 'no';
  /** Port to listen on; 0 picks a free one. @default 0 */
  port?: number;
  /** Executable name or path. @default 'redis-server' */
  command?: string;
  /** Extra `--name value` arguments. */
  extraArgs?: string[];
}

/** A running redis-server started by this process. */
export interface RedisServerHandle {
  url: string;
  port: number;
  pid: number;
  dir: string;
  /** SIGTERM, then SIGKILL after `timeoutMs`; resolves when the process has exited. */
  stop(timeoutMs?: number): Promise<void>;
  /** SIGKILL, for fault injection; resolves when the process has exited. */
  kill(): Promise<void>;
  /** Starts the server again on the same port and folder (after stop or kill). */
  restart(): Promise<void>;
}

/** Error raised when redis-server is missing or does not start; its message names the next step. */
export class RedisServerError extends Error {
  override name = 'RedisServerError';
}

const installHint =
  'install it (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) or point dtq-console at an existing server with --redis-url or REDIS_URL';

/** Returns the version line of the redis-server on PATH, or undefined when there is none. */
export function findRedisServer(command = 'redis-server'): string | undefined {
  const probe = spawnSync(command, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return undefined;
  return probe.stdout.trim();
}

/** Asks the OS for a free loopback port. Another process could take it before redis-server binds; start retries then. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves true when something on 127.0.0.1:port replies PONG to PING within `timeoutMs`. */
export function pingRedis(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const finish = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.on('error', () => finish(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => finish(data.toString().startsWith('+PONG')));
  });
}

/**
 * Starts a private redis-server bound to loopback and waits until it replies.
 * The caller owns it and must stop it; tests, the benchmark, the chaos soak
 * and the console's embedded mode all start their servers here.
 */
export async function startRedisServer(options: RedisServerOptions): Promise<RedisServerHandle> {
  const command = options.command ?? 'redis-server';
  if (!findRedisServer(command)) {
    throw new RedisServerError(`${command} was not found on PATH: ${installHint}`);
  }
  mkdirSync(options.dir, { recursive: true });

  let port = options.port ?? 0;
  let child: ChildProcess | undefined;
  for (let attempt = 1; !child; attempt++) {
    const chosenPort = port || (await findFreePort());
    try {
      child = await launch(command, chosenPort, options);
      port = chosenPort;
    } catch (error) {
      if (attempt >= 5 || options.port) throw error;
    }
  }

  let current: ChildProcess = child;
  const handle: RedisServerHandle = {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: current.pid ?? 0,
    dir: options.dir,
    stop: (timeoutMs = 5000) => stopProcess(current, timeoutMs),
    kill: () => stopProcess(current, 0),
    restart: async () => {
      current = await launch(command, port, options);
      handle.pid = current.pid ?? 0;
    },
  };
  return handle;
}

function serverArgs(port: number, options: RedisServerOptions): string[] {
  return [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--protected-mode', 'yes',
    '--dir', options.dir,
    '--appendonly', options.appendOnly === false ? 'no' : 'yes',
    '--appendfsync', options.appendFsync ?? 'everysec',
    '--save', '',
    '--daemonize', 'no',
    '--logfile', join(options.dir, 'redis.log'),
    ...(options.extraArgs ?? []),
  ];
}

async function launch(command: string, port: number, options: RedisServerOptions): Promise<ChildProcess> {
  // Its own process group: Ctrl+C in a terminal must reach only the parent, which stops the server after its workers.
  const child = spawn(command, serverArgs(port, options), { stdio: 'ignore', detached: true });
  let exitCode: number | null | undefined;
  child.on('exit', (code) => {
    exitCode = code;
  });
  child.on('error', () => {
    exitCode = -1;
  });

  const deadlineMs = Date.now() + 10_000;
  while (Date.now() < deadlineMs) {
    if (exitCode !== undefined) {
      throw new RedisServerError(
        `redis-server exited with code ${exitCode} while starting on port ${port}; see ${join(options.dir, 'redis.log')}`,
      );
    }
    if (await pingRedis(port, 200)) return child;
    await delay(50);
  }
  child.kill('SIGKILL');
  throw new RedisServerError(`redis-server did not respond on port ${port} within 10 s; see ${join(options.dir, 'redis.log')}`);
}

async function stopProcess(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(timeoutMs > 0 ? 'SIGTERM' : 'SIGKILL');
  if (timeoutMs > 0) {
    await waitUpTo(exited, timeoutMs);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
  }
  await exited;
}
