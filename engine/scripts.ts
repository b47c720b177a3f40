import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/** Every Lua script of the engine with the number of KEYS its header declares. */
export const scriptKeyCounts = {
  enqueueTasks: 3,
  registerWorker: 2,
  writeHeartbeat: 2,
  claimTasks: 5,
  ackTasks: 4,
  retryTask: 3,
  deadLetter: 4,
  requeueOrphans: 8,
  promoteDelayed: 3,
  holdLease: 1,
  releaseLease: 1,
  readSnapshot: 8,
  requeueDead: 3,
} as const;

export type ScriptName = keyof typeof scriptKeyCounts;

interface LoadedScript {
  source: string;
  sha: string;
}

/** Reads a script's source from engine/lua (next to this module, in the source tree and in dist). */
export function readScriptSource(name: ScriptName): string {
  return readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), 'utf8');
}

const loaded = new Map<ScriptName, LoadedScript>();

function getScript(name: ScriptName): LoadedScript {
  let script = loaded.get(name);
  if (!script) {
    const source = readScriptSource(name);
    script = { source, sha: createHash('sha1').update(source).digest('hex') };
    loaded.set(name, script);
  }
  return script;
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/**
 * Runs a script by SHA. When Redis does not know the SHA (first call, a
 * restart without the script cache, or SCRIPT FLUSH), it loads the source
 * and runs it again.
 */
export async function runScript(
  redis: Redis,
  name: ScriptName,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  const expectedKeyCount = scriptKeyCounts[name];
  if (keys.length !== expectedKeyCount) {
    throw new Error(`script ${name} takes ${expectedKeyCount} keys, got ${keys.length}`);
  }

  const script = getScript(name);
  try {
    return await redis.evalsha(script.sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!isNoScript(error)) throw error;
    await redis.script('LOAD', script.source);
    return redis.evalsha(script.sha, keys.length, ...keys, ...args);
  }
}
