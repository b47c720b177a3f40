import type { Redis } from 'ioredis';

/** Calls and time Redis spent on one command, from INFO commandstats. */
export interface CommandStat {
  calls: number;
  usec: number;
}

/** Server-side counters read before and after a measured step. */
export interface ServerCounters {
  /** CPU time of the redis-server process (user + system), in microseconds. */
  cpuUs: number;
}

/** Commands the benchmark itself sends, left out of the counts. */
const benchCommands = new Set(['info', 'config', 'flushall', 'ping', 'client']);

/** Reads the redis-server process's CPU time from INFO cpu. */
export async function readServerCounters(redis: Redis): Promise<ServerCounters> {
  const text = await redis.info('cpu');
  const field = (name: string): number => Number(new RegExp(`^${name}:([0-9.]+)`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { cpuUs: Math.round((field('used_cpu_user') + field('used_cpu_sys')) * 1e6) };
}

/** Clears INFO commandstats, so the next reading covers only what follows. */
export async function resetCommandStats(redis: Redis): Promise<void> {
  await redis.config('RESETSTAT');
}

/**
 * Reads INFO commandstats as command name → calls and time. Redis (checked
 * on 7.0) counts a command run inside a Lua script under its own name as well
 * as the EVALSHA that ran it, so a script call adds one call for itself and
 * one per command inside it.
 */
export async function readCommandStats(redis: Redis): Promise<Map<string, CommandStat>> {
  const text = await redis.info('commandstats');
  const stats = new Map<string, CommandStat>();
  for (const match of text.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
    // Redis 7 names subcommands as "config|resetstat"; the benchmark's own are skipped by their base command.
    const name = (match[1] as string).toLowerCase();
    if (benchCommands.has(name.split('|')[0] as string)) continue;
    stats.set(name, { calls: Number(match[2]), usec: Number(match[3]) });
  }
  return stats;
}

/** Script calls (EVAL, EVALSHA, FCALL and their read-only forms) among the counted commands. */
const scriptCommands = new Set(['eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro']);

/**
 * Sums one commandstats reading: every executed command, counting those run
 * inside scripts, and the script calls alone.
 */
export function totalCommands(stats: Map<string, CommandStat>): { executed: number; scriptCalls: number } {
  let executed = 0;
  let scriptCalls = 0;
  for (const [name, { calls }] of stats) {
    executed += calls;
    if (scriptCommands.has(name)) scriptCalls += calls;
  }
  return { executed, scriptCalls };
}
