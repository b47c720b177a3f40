import { createWriteStream, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink';
import { createElement } from 'react';
import { createRedis, queueKeys } from '../engine/index.js';
import { ConsoleApp } from '../components/ConsoleApp.js';
import { parseIntegerSetting, readDotEnv, UsageError, type Config } from './config.js';
import { ConsoleSession } from './console-session.js';
import { createSupervisor, startMaster } from './headless.js';
import { createLogger, logEngineEvents } from './logger.js';
import type { Flags, Invocation } from './main.js';
import { createConsoleStore, type ConsoleStore } from './store.js';

/** Ink renders at most this many frames a second; ticks come four times a second, keys in between. */
const maxFramesPerSecond = 15;

const enterAlternateScreen = '\u001B[?1049h';
const leaveAlternateScreen = '\u001B[?1049l';
const showCursor = '\u001B[?25h';

/** `dtq-console`: the full-screen console with the master in-process. Resolves to the exit code. */
export async function runConsoleCommand(invocation: Invocation): Promise<number> {
  if (invocation.args.length > 0) throw new UsageError(`unknown command ${JSON.stringify(invocation.args.join(' '))}: see --help`);
  const initialWorkerCount = invocation.flags.workers === undefined ? 0 : parseIntegerSetting('--workers', String(invocation.flags.workers), 0, 64);
  requireTerminal();
  const config = withConsoleDefaults(invocation.config, invocation.flags);
  const logDir = join(config.dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const logger = createLogger(config.logLevel, { component: 'console', queue: config.queue }, createWriteStream(join(logDir, 'console.log'), { flags: 'a' }));

  // Before Ink starts, so a failure prints a plain message and exits 1.
  const { target, master } = await startMaster(config, {
    attach: (created) => logEngineEvents(created, logger),
    onWarning: (warning) => logger.warn({ event: 'redisConfig' }, warning),
  });
  const redis = createRedis({ url: target.url, name: 'dtq-console' }, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  const store = createConsoleStore({
    queue: config.queue,
    redisDisplay: target.displayUrl,
    embedded: Boolean(target.server),
    startedAtMs: Date.now(),
    color: invocation.flags.color !== false && !process.env.NO_COLOR,
    audit: config.audit,
    localHost: hostname(),
  });
  const session = new ConsoleSession({ config, target, master, supervisor: createSupervisor(config, invocation.flags, target), redis, keys: queueKeys(config.prefix, config.queue), store });
  await redis.connect().catch(() => undefined);
  session.start();
  store.getState().pushEvent('info', `master ${master.token} started as ${master.role ?? 'standby'}; worker logs in ${logDir}`);
  for (let i = 0; i < initialWorkerCount; i++) session.spawnWorker();

  const exitCode = await runScreen(session, store);
  return exitCode;
}

/**
 * Exits 2 unless stdin and stdout are terminals: Ink needs raw mode, and in
 * CI or a dumb terminal the console would draw garbage.
 */
function requireTerminal(): void {
  const reason = terminalProblem();
  if (reason) throw new UsageError(`the console needs an interactive terminal (${reason}): run \`dtq-console --no-ui\` for the headless master with JSON logs`);
}

function terminalProblem(): string | undefined {
  const ci = process.env.CI !== undefined && process.env.CI !== '0' && process.env.CI !== 'false';
  if (!process.stdin.isTTY) return 'stdin is not a terminal';
  if (!process.stdout.isTTY) return 'stdout is not a terminal';
  if (process.env.TERM === 'dumb') return 'TERM is dumb';
  if (ci) return 'CI is set';
  return undefined;
}

/** Turns the audit on unless --audit, DTQ_AUDIT or .env sets it: the scoreboard counts duplicates with it. */
function withConsoleDefaults(config: Config, flags: Flags): Config {
  const auditSet = flags.audit !== undefined || process.env.DTQ_AUDIT !== undefined || readDotEnv(process.cwd()).values.DTQ_AUDIT !== undefined;
  return auditSet ? config : { ...config, audit: true };
}

/**
 * Draws the console in the alternate screen until the session finishes, and
 * restores the terminal on every way out: quit, SIGTERM, SIGHUP, SIGINT and
 * an uncaught error.
 */
async function runScreen(session: ConsoleSession, store: ConsoleStore): Promise<number> {
  process.stdout.write(enterAlternateScreen);
  const restoreTerminal = () => process.stdout.write(leaveAlternateScreen + showCursor);
  process.once('exit', restoreTerminal);

  let crash: unknown;
  const onCrash = (error: unknown) => {
    crash ??= error;
    void session.stop(1);
  };
  let signalCount = 0;
  const onSignal = () => {
    signalCount++;
    if (signalCount > 1) session.forceQuit();
    else session.quit();
  };
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  for (const signal of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) process.on(signal, onSignal);

  const instance = render(createElement(ConsoleApp, { store, actions: session }), { exitOnCtrlC: false, maxFps: maxFramesPerSecond, patchConsole: true });
  instance.waitUntilExit().catch(onCrash);
  const exitCode = await session.finished;

  instance.unmount();
  restoreTerminal();
  process.off('exit', restoreTerminal);
  if (crash) process.stderr.write(`dtq-console: the console crashed and stopped its workers, please report it:\n${(crash as Error)?.stack ?? String(crash)}\n`);
  return exitCode;
}
