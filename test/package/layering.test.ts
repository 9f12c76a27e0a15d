import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import tsupConfig from '../../tsup.config.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every package import of `file` (type imports included), as written. */
function packageImportsOf(file: string): string[] {
  const source = readFileSync(join(root, file), 'utf8');
  return [...source.matchAll(IMPORT)]
    .map((match) => match[1]!)
    .filter((specifier) => !specifier.startsWith('.'));
}

const SDK_V1 = /^@modelcontextprotocol\/sdk(\/|$)/;
const SDK_V2 = /^@modelcontextprotocol\/(server|client|node|express|core)(\/|$)/;
/** Areas built on SDK v2; every other file is on SDK v1 or on no SDK. */
const V2_AREAS = ['src/adapters/v2/'];
/** The only files that bind SDK v1 at runtime in an area otherwise shared by both SDKs. */
const SDK_V1_BINDINGS = [
  'src/adapters/streamable-http/sdk-v1.ts',
  'src/adapters/streamable-http/v1.ts',
];
/** Areas whose code serves both SDKs (each entry binds its own), so they import no SDK at all. */
const SHARED_STREAMABLE_AREAS = ['src/adapters/streamable-http/'];
/** Areas that load no SDK at all (shapes only), so they serve v1 and v2 users alike. */
const SDK_FREE_AREAS = [
  'src/client/',
  'src/stores/',
  'src/core/',
  'src/protocol.ts',
  'src/adapters/shared/',
  'src/handles/',
];

/** Every relative import of `file` (type imports included), as a path from the repo root. */
function importsOf(file: string): string[] {
  const source = readFileSync(join(root, file), 'utf8');
  return [...source.matchAll(IMPORT)]
    .map((match) => match[1]!)
    .filter((specifier) => specifier.startsWith('.') && !specifier.endsWith('.lua'))
    .map((specifier) =>
      relative(root, join(root, dirname(file), specifier)).replace(/\.js$/, '.ts'),
    );
}

/** Every entry of tsup.config.ts: its name and its source file. */
function tsupEntries(): Record<string, string> {
  const configs = Array.isArray(tsupConfig) ? tsupConfig : [tsupConfig];
  const entries: Record<string, string> = {};
  for (const config of configs as Array<{ entry?: Record<string, string> }>) {
    Object.assign(entries, config.entry);
  }
  return entries;
}

/** `entry` and every source file it imports, directly or not (type imports included). */
function reachableFrom(entry: string): Set<string> {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const target of importsOf(file)) if (target.startsWith('src/')) queue.push(target);
  }
  return seen;
}

/**
 * The house rules: for each area (a path prefix; the longest match wins), the prefixes its
 * files may import. An area may always import its own files.
 */
const RULES: ReadonlyArray<readonly [area: string, mayImport: readonly string[]]> = [
  ['src/index.ts', ['src/core/', 'src/stores/memory-store.ts']],
  ['src/protocol.ts', ['src/core/types.ts']],
  ['src/core/', ['src/stores/memory-store.ts']],
  ['src/stores/', ['src/core/']],
  ['src/stores/redis/', ['src/core/']],
  ['src/adapters/shared/', ['src/core/', 'src/protocol.ts']],
  ['src/adapters/streamable-http/', ['src/core/', 'src/protocol.ts', 'src/adapters/shared/']],
  ['src/adapters/sse/', ['src/core/', 'src/protocol.ts', 'src/adapters/shared/']],
  [
    'src/adapters/v2/',
    ['src/core/', 'src/protocol.ts', 'src/adapters/shared/', 'src/adapters/streamable-http/'],
  ],
  [
    'src/client/',
    ['src/protocol.ts', 'src/core/errors.ts', 'src/core/validate.ts', 'src/core/logger.ts'],
  ],
  ['src/resources/', ['src/core/']],
  [
    'src/handles/',
    ['src/core/', 'src/adapters/shared/owner.ts', 'src/adapters/shared/auth-info.ts'],
  ],
  ['src/testing/', ['src/core/']],
];

function areaOf(file: string): string | undefined {
  let best: string | undefined;
  for (const [area] of RULES) {
    if (file.startsWith(area) && (best === undefined || area.length > best.length)) best = area;
  }
  return best;
}

describe('layering', () => {
  const files = sourceFiles('src');

  it('every source file belongs to an area with rules', () => {
    expect(files.filter((file) => areaOf(file) === undefined)).toEqual([]);
  });

  it('every import follows the rules of its area', () => {
    const broken: string[] = [];
    for (const file of files) {
      const area = areaOf(file)!;
      const allowed = [area.endsWith('/') ? area : file, ...RULES.find(([a]) => a === area)![1]];
      for (const target of importsOf(file)) {
        const ok = allowed.some((prefix) =>
          prefix.endsWith('/') ? target.startsWith(prefix) : target === prefix,
        );
        // A nested area (stores/redis) may not reach back into its parent (stores) except core.
        if (!ok || (areaOf(target) === 'src/stores/' && area === 'src/stores/redis/'))
          broken.push(`${file} -> ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('every entry folder maps to one subpath, in package.json, tsup.config.ts and tsconfig paths alike', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      exports: Record<string, unknown>;
    };
    const configs = Array.isArray(tsupConfig) ? tsupConfig : [tsupConfig];
    const entries: Record<string, string> = {};
    for (const config of configs as Array<{ entry?: Record<string, string> }>) {
      Object.assign(entries, config.entry);
    }
    const subpaths = Object.keys(pkg.exports).filter((s) => s !== './package.json');
    const fromConfig = Object.keys(entries).map((name) =>
      name === 'index' ? '.' : `./${name.replace(/\/index$/, '')}`,
    );
    expect(fromConfig.sort()).toEqual(subpaths.sort());
    const folders = Object.values(entries).map((file) => dirname(file));
    expect(new Set(folders).size).toBe(folders.length);
    for (const file of Object.values(entries)) expect(file).toMatch(/(^|\/)index\.ts$/);
    const tsconfig = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8')) as {
      compilerOptions: { paths: Record<string, string[]> };
    };
    const fromPaths = Object.fromEntries(
      Object.entries(tsconfig.compilerOptions.paths).map(([name, [file]]) => [
        name.replace(/^mcp-sessions/, '.'),
        file!.replace(/^\.\//, ''),
      ]),
    );
    const fromEntries = Object.fromEntries(
      Object.entries(entries).map(([name, file]) => [
        name === 'index' ? '.' : `./${name.replace(/\/index$/, '')}`,
        file,
      ]),
    );
    expect(fromPaths).toEqual(fromEntries);
  });

  it('v2 entries never import SDK v1, v1 entries never import SDK v2', () => {
    const broken: string[] = [];
    for (const file of files) {
      const v2 = V2_AREAS.some((area) => file.startsWith(area));
      const forbidden = v2 ? SDK_V1 : SDK_V2;
      for (const specifier of packageImportsOf(file)) {
        if (forbidden.test(specifier)) broken.push(`${file} -> ${specifier}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('the client, the stores, the core and the shared adapter code import neither SDK, not even for types', () => {
    const broken = files
      .filter((file) => SDK_FREE_AREAS.some((area) => file.startsWith(area)))
      .flatMap((file) =>
        packageImportsOf(file)
          .filter((specifier) => SDK_V1.test(specifier) || SDK_V2.test(specifier))
          .map((specifier) => `${file} -> ${specifier}`),
      );
    expect(broken).toEqual([]);
  });

  it('the Streamable HTTP code both entries share imports no SDK; only its SDK v1 binding does', () => {
    const broken = files
      .filter((file) => SHARED_STREAMABLE_AREAS.some((area) => file.startsWith(area)))
      .filter((file) => !SDK_V1_BINDINGS.includes(file))
      .flatMap((file) =>
        packageImportsOf(file)
          .filter((specifier) => SDK_V1.test(specifier) || SDK_V2.test(specifier))
          .map((specifier) => `${file} -> ${specifier}`),
      );
    expect(broken).toEqual([]);
  });

  it('no entry reaches the other SDK through any file it imports, directly or not', () => {
    const entries = Object.entries(tsupEntries());
    expect(entries.some(([name]) => name === 'v2/index')).toBe(true);
    const broken: string[] = [];
    for (const [name, entry] of entries) {
      const forbidden = V2_AREAS.some((area) => entry.startsWith(area)) ? SDK_V1 : SDK_V2;
      for (const file of reachableFrom(entry)) {
        for (const specifier of packageImportsOf(file)) {
          if (forbidden.test(specifier)) broken.push(`${name}: ${file} -> ${specifier}`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('only tests under test/redis reach Redis, so the unit project runs without it', () => {
    const reachRedis = sourceFiles('test')
      .filter((file) => !file.startsWith('test/redis/') && !file.startsWith('test/support/redis'))
      .filter((file) => importsOf(file).includes('test/support/redis.ts'));
    expect(reachRedis).toEqual([]);
  });
});
