import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaults } from '../engine/index.js';
import { checkRedisUrl } from '../engine/index.js';

/** A wrong flag, value or combination: the CLI prints the message and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Settings shared by every command, after merging flags, environment, `.env` and defaults. */
export interface Config {
  /** undefined: use the embedded redis-server (console, --no-ui) or the one recorded in `.dtq/`. */
  redisUrl: string | undefined;
  queue: string;
  prefix: string;
  heartbeatMs: number;
  heartbeatTtlMs: number;
  sweepMs: number;
  concurrency: number;
  maxAttempts: number;
  shutdownTimeoutMs: number;
  taskTimeoutMs: number;
  audit: boolean;
  logLevel: LogLevel;
  /** Folder for the embedded Redis, its address and the worker logs. */
  dataDir: string;
}

export const logLevels = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

interface NumberSetting {
  key: keyof Config;
  flag: string;
  env: string;
  fallback: number;
  min: number;
  max: number;
}

/** Numeric settings: flag name, environment variable, default and allowed range. */
const numberSettings: NumberSetting[] = [
  { key: 'heartbeatMs', flag: 'heartbeat-ms', env: 'DTQ_HEARTBEAT_MS', fallback: defaults.heartbeatIntervalMs, min: 10, max: 3_600_000 },
  { key: 'heartbeatTtlMs', flag: 'heartbeat-ttl-ms', env: 'DTQ_HEARTBEAT_TTL_MS', fallback: defaults.heartbeatTtlMs, min: 50, max: 3_600_000 },
  { key: 'sweepMs', flag: 'sweep-ms', env: 'DTQ_SWEEP_MS', fallback: defaults.sweepIntervalMs, min: 10, max: 600_000 },
  { key: 'concurrency', flag: 'concurrency', env: 'DTQ_CONCURRENCY', fallback: defaults.concurrency, min: 1, max: 10_000 },
  { key: 'maxAttempts', flag: 'max-attempts', env: 'DTQ_MAX_ATTEMPTS', fallback: defaults.maxAttempts, min: 1, max: 1000 },
  { key: 'shutdownTimeoutMs', flag: 'shutdown-timeout-ms', env: 'DTQ_SHUTDOWN_TIMEOUT_MS', fallback: defaults.shutdownTimeoutMs, min: 0, max: 3_600_000 },
  { key: 'taskTimeoutMs', flag: 'task-timeout-ms', env: 'DTQ_TASK_TIMEOUT_MS', fallback: defaults.taskTimeoutMs, min: 0, max: 86_400_000 },
];

/** Parses the KEY=VALUE lines of a `.env` file; `#` starts a comment, quotes around a value are dropped. */
export function parseDotEnv(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match) continue;
    let value = match[2] ?? '';
    const quoted = /^(['"])(.*)\1$/.exec(value);
    if (quoted) value = quoted[2] ?? '';
    else value = value.replace(/\s+#.*$/, '');
    result[match[1] as string] = value;
  }
  return result;
}

/** Every DTQ_ variable dtq-console reads; other DTQ_ names in `.env` are reported as likely typos. */
export const knownVariables = new Set(['DTQ_QUEUE', 'DTQ_PREFIX', 'DTQ_AUDIT', 'DTQ_LOG_LEVEL', 'DTQ_DATA_DIR', ...numberSettings.map((setting) => setting.env)]);

/** Lists `.env` lines that set nothing: not KEY=VALUE, or a DTQ_ name dtq-console does not read. */
export function checkDotEnv(text: string): string[] {
  const warnings: string[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (/^\s*(#.*)?$/.test(line)) return;
    const name = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1];
    if (!name) warnings.push(`line ${index + 1} of .env is not NAME=VALUE and is ignored`);
    else if (name.startsWith('DTQ_') && !knownVariables.has(name)) warnings.push(`${name} in .env is not a dtq-console setting and is ignored (see --help for the names)`);
  });
  return warnings;
}

/** Reads `.env` from `dir` when present, with warnings about lines that set nothing. */
export function readDotEnv(dir: string): { values: Record<string, string>; warnings: string[] } {
  const path = join(dir, '.env');
  if (!existsSync(path)) return { values: {}, warnings: [] };
  const text = readFileSync(path, 'utf8');
  return { values: parseDotEnv(text), warnings: checkDotEnv(text) };
}

/** Parses a whole decimal number; a usage error names the flag, the value and the range. */
export function parseIntegerSetting(label: string, text: string, min: number, max: number): number {
  const trimmed = text.trim();
  const value = /^-?\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`invalid value ${JSON.stringify(text)} for ${label}: expected a whole number from ${min} to ${max}`);
  }
  return value;
}

/**
 * Merges the settings. Precedence, highest first: command-line flags, the
 * process environment, the `.env` file of the working folder, the defaults.
 * A value that is set but empty or malformed is a usage error at every level,
 * so a typo in `.env` never falls back silently to a default.
 */
export function resolveConfig(flags: Record<string, unknown>, env: NodeJS.ProcessEnv, dotEnv: Record<string, string>, cwd: string): Config {
  const pick = (flag: string, envName: string): { value: string; label: string } | undefined => {
    const flagValue = flags[camelCase(flag)];
    if (flagValue !== undefined) return { value: String(flagValue), label: `--${flag}` };
    // An empty variable counts as unset, as most tools treat `REDIS_URL=`.
    if (env[envName]) return { value: env[envName] as string, label: envName };
    if (dotEnv[envName]) return { value: dotEnv[envName] as string, label: `${envName} in .env` };
    return undefined;
  };

  const config: Config = {
    redisUrl: undefined,
    queue: defaults.queue,
    prefix: defaults.prefix,
    heartbeatMs: defaults.heartbeatIntervalMs,
    heartbeatTtlMs: defaults.heartbeatTtlMs,
    sweepMs: defaults.sweepIntervalMs,
    concurrency: defaults.concurrency,
    maxAttempts: defaults.maxAttempts,
    shutdownTimeoutMs: defaults.shutdownTimeoutMs,
    taskTimeoutMs: defaults.taskTimeoutMs,
    audit: false,
    logLevel: 'info',
    dataDir: join(cwd, '.dtq'),
  };

  const url = pick('redis-url', 'REDIS_URL');
  if (url) {
    const problem = checkRedisUrl(url.value);
    if (problem || url.value.trim() === '') throw new UsageError(`${url.label}: ${problem ?? 'empty Redis URL'}`);
    config.redisUrl = url.value;
  }
  for (const [key, flag, envName] of [['queue', 'queue', 'DTQ_QUEUE'], ['prefix', 'prefix', 'DTQ_PREFIX']] as const) {
    const setting = pick(flag, envName);
    if (!setting) continue;
    if (!/^[A-Za-z0-9_.\-]{1,100}$/.test(setting.value)) {
      throw new UsageError(`invalid ${key} name ${JSON.stringify(setting.value)} for ${setting.label}: use 1 to 100 letters, digits, '.', '_' or '-'`);
    }
    config[key] = setting.value;
  }
  for (const setting of numberSettings) {
    const chosen = pick(setting.flag, setting.env);
    if (chosen) (config[setting.key] as number) = parseIntegerSetting(chosen.label, chosen.value, setting.min, setting.max);
  }

  const audit = pick('audit', 'DTQ_AUDIT');
  if (audit) config.audit = parseBooleanSetting(audit.label, audit.value);
  const logLevel = pick('log-level', 'DTQ_LOG_LEVEL');
  if (logLevel) {
    if (!(logLevels as readonly string[]).includes(logLevel.value)) {
      throw new UsageError(`invalid ${logLevel.label} ${JSON.stringify(logLevel.value)}: use one of ${logLevels.join(', ')}`);
    }
    config.logLevel = logLevel.value as LogLevel;
  }
  const dataDir = pick('data-dir', 'DTQ_DATA_DIR');
  if (dataDir) config.dataDir = dataDir.value;

  if (config.heartbeatTtlMs <= config.heartbeatMs) {
    throw new UsageError(
      `--heartbeat-ttl-ms (${config.heartbeatTtlMs}) must exceed --heartbeat-ms (${config.heartbeatMs}), or every worker looks dead between two heartbeats: use at least twice the interval`,
    );
  }
  return config;
}

function parseBooleanSetting(label: string, text: string): boolean {
  if (['1', 'true', 'yes', 'on'].includes(text.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off', ''].includes(text.toLowerCase())) return false;
  throw new UsageError(`invalid value ${JSON.stringify(text)} for ${label}: use true or false`);
}

function camelCase(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}
