import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const LUA = join(import.meta.dirname, '../../src/stores/redis/lua');

/** A key name built inside a script: the prefix (`base`, or ARGV[1] of the listings) joined to a literal. */
const BUILT_KEY = /(?:\bbase|ARGV\[1\])\s*\.\.\s*'/;

function luaFiles(): string[] {
  return [
    ...readdirSync(LUA).filter((f) => f.endsWith('.lua')),
    ...readdirSync(join(LUA, 'includes')).map((f) => `includes/${f}`),
  ];
}

/** The leading `--[[ ... ]]` comment, and the code after it. */
function split(source: string): { header: string; code: string } {
  const end = source.indexOf(']]');
  return { header: source.slice(0, end), code: source.slice(end + 2) };
}

describe('Lua scripts and Redis Cluster', () => {
  it('every script or include that builds a key name says so in its header', () => {
    const undocumented = luaFiles().filter((file) => {
      const { header, code } = split(readFileSync(join(LUA, file), 'utf8'));
      return BUILT_KEY.test(code) && !/undeclared/.test(header);
    });
    expect(luaFiles().length).toBeGreaterThan(10);
    expect(undocumented).toEqual([]);
  });

  it('scripts about one session build none of its own keys: they are declared', () => {
    for (const file of ['get-2.lua', 'touch-3.lua', 'update-2.lua', 'end-6.lua']) {
      const { code } = split(readFileSync(join(LUA, file), 'utf8'));
      expect(code, file).not.toMatch(/base\s*\.\.\s*'(?:s|t|events|stream):'\s*\.\.\s*id\b/);
    }
  });
});
