import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/g;

/** Every module specifier reachable from an entry file through runtime (non-type) imports. */
function reachable(entry: string): { files: Set<string>; external: Set<string> } {
  const files = new Set<string>();
  const external = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(IMPORT)) {
      const statement = match[0];
      const specifier = match[1]!;
      if (/^\s*(?:import|export)\s+type\s/.test(statement.trimStart())) continue;
      if (specifier.startsWith('.')) visit(join(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else external.add(specifier);
    }
  };
  visit(join(root, entry));
  return { files, external };
}

describe('entry points', () => {
  it('the root entry loads nothing Node-only, Redis-only or SDK-only', () => {
    const { external } = reachable('src/index.ts');
    expect([...external].sort()).toEqual(['uuid', 'zod']);
  });

  it('the Redis entry needs neither redis nor ioredis at load time', () => {
    const { external } = reachable('src/stores/redis/index.ts');
    expect([...external].filter((m) => m === 'redis' || m === 'ioredis')).toEqual([]);
  });

  it('the client entry runs in browsers too: no Node built-ins, no server code', () => {
    const { files, external } = reachable('src/client/index.ts');
    expect([...external].filter((m) => m.startsWith('node:') || m.includes('/server/'))).toEqual(
      [],
    );
    const allowed = [
      'src/protocol.ts',
      'src/client/',
      'src/core/errors.ts',
      'src/core/validate.ts',
      'src/core/logger.ts',
    ];
    const outside = [...files]
      .map((file) => relative(root, file))
      .filter((file) => !allowed.some((prefix) => file.startsWith(prefix)));
    expect(outside).toEqual([]);
  });
});
