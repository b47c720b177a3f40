import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readScriptSource, scriptKeyCounts, type ScriptName } from '../../engine/scripts.js';

const luaFolder = fileURLToPath(new URL('../../engine/lua/', import.meta.url));
const names = Object.keys(scriptKeyCounts) as ScriptName[];

describe('Lua scripts', () => {
  it('every file is registered and every registered name has a file', () => {
    const files = readdirSync(luaFolder).filter((file) => file.endsWith('.lua')).map((file) => file.replace(/\.lua$/, ''));
    expect(files.sort()).toEqual([...names].sort());
  });

  for (const name of names) {
    it(`${name} header declares the key count its callers pass`, () => {
      const source = readScriptSource(name);
      const declared = source.match(/^-- KEYS\[\d+\]/gm) ?? [];
      expect(declared).toHaveLength(scriptKeyCounts[name]);
    });

    it(`${name} binds each declared key to a local`, () => {
      const source = readScriptSource(name);
      for (let slot = 1; slot <= scriptKeyCounts[name]; slot++) {
        expect(source).toMatch(new RegExp(`^local \\w+ = KEYS\\[${slot}\\]$`, 'm'));
      }
    });

    it(`${name} uses no key beyond its header`, () => {
      const source = readScriptSource(name);
      const used = [...source.matchAll(/KEYS\[(\d+)\]/g)].map((match) => Number(match[1]));
      expect(Math.max(0, ...used)).toBeLessThanOrEqual(scriptKeyCounts[name]);
    });
  }
});
