// Every ```ts block of README.md is a complete file with its imports. This suite writes each
// one to a folder inside the repository (so `node_modules` resolves), maps `mcp-sessions` and
// its subpaths to the `src/` entries, and type-checks them all in one compiler run with the
// repository's strict options. A failure names the README line, the heading and the error.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import tsupConfig from '../../tsup.config.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

interface Snippet {
  /** 1-based README line of the first line of code (the line after the fence). */
  readonly line: number;
  /** The nearest heading above the block. */
  readonly heading: string;
  readonly code: string;
}

/** Every ```ts block with where it is. */
function snippetsOf(markdown: string): Snippet[] {
  const lines = markdown.split('\n');
  const found: Snippet[] = [];
  let heading = '(top)';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^#{1,6} /.test(line)) heading = line.replace(/^#+ /, '');
    if (!line.startsWith('```')) continue;
    // A fenced block of any language: skip to its end (a `# comment` in it is no heading).
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end]!.trimEnd() !== '```') end++;
    if (end === lines.length) throw new Error(`README.md:${i + 1}: unclosed code block`);
    if (line.trimEnd() === '```ts') {
      found.push({ line: start + 1, heading, code: `${lines.slice(start, end).join('\n')}\n` });
    }
    i = end;
  }
  return found;
}

/** `mcp-sessions` and `mcp-sessions/<name>` to their source files, from the build's entry list. */
function entryPaths(): Record<string, string[]> {
  const configs = Array.isArray(tsupConfig) ? tsupConfig : [tsupConfig];
  const paths: Record<string, string[]> = {};
  for (const config of configs as Array<{ entry?: Record<string, string> }>) {
    for (const [name, file] of Object.entries(config.entry ?? {})) {
      const subpath =
        name === 'index' ? 'mcp-sessions' : `mcp-sessions/${name.replace(/\/index$/, '')}`;
      paths[subpath] = [join(root, file)];
    }
  }
  return paths;
}

/** Must fail to compile: proves the mapping resolves to `src/` and that errors are reported. */
const CANARY = `import { SessionManager } from 'mcp-sessions';
export const broken = new SessionManager({ idleTtlMs: 'ten minutes' });
`;

const snippets = snippetsOf(readme);
const paths = entryPaths();
const cache = join(root, 'node_modules', '.cache');
mkdirSync(cache, { recursive: true });
const dir = mkdtempSync(join(cache, 'readme-snippets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Where snippet `i` is written. `.mts`: ES modules whatever the folder (Node's package scope
 * lookup stops at `node_modules`), as in a project with `"type": "module"`.
 */
const fileOf = (i: number) => join(dir, `snippet-${String(i + 1).padStart(2, '0')}.mts`);
const canaryFile = join(dir, 'canary.mts');

interface Checked {
  /** Diagnostics per file written. */
  readonly perFile: ReadonlyMap<string, readonly ts.Diagnostic[]>;
  /** Diagnostics of the options and the program as a whole. */
  readonly global: readonly ts.Diagnostic[];
}

/** Type-checks every snippet and the canary in one program. */
function check(): Checked {
  const files = snippets.map((snippet, i) => {
    writeFileSync(fileOf(i), snippet.code);
    return fileOf(i);
  });
  writeFileSync(canaryFile, CANARY);
  const { config } = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(
    {
      compilerOptions: {
        ...config.compilerOptions,
        noEmit: true,
        // A README snippet may declare what it only shows (a handler, a manager).
        noUnusedLocals: false,
        noUnusedParameters: false,
        paths,
      },
      files: [...files, canaryFile, join(root, 'src', 'lua.d.ts')],
    },
    ts.sys,
    root,
  );
  expect(parsed.errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual(
    [],
  );
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  const perFile = new Map<string, readonly ts.Diagnostic[]>();
  for (const file of [...files, canaryFile]) {
    const source = program.getSourceFile(file);
    if (source === undefined) throw new Error(`not in the program: ${file}`);
    perFile.set(file, [
      ...program.getSyntacticDiagnostics(source),
      ...program.getSemanticDiagnostics(source),
    ]);
  }
  const global = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()];
  return { perFile, global };
}

function describeDiagnostic(diagnostic: ts.Diagnostic, snippet: Snippet | undefined): string {
  const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
  if (diagnostic.file === undefined || diagnostic.start === undefined)
    return `TS${diagnostic.code}: ${text}`;
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  const where =
    snippet === undefined
      ? `${relative(root, diagnostic.file.fileName)}:${line + 1}:${character + 1}`
      : `README.md:${snippet.line + line}:${character + 1} (under "${snippet.heading}")`;
  return `${where} TS${diagnostic.code}: ${text}`;
}

describe('README.md', () => {
  it('has ts snippets, none hidden under another tag, and the build names every subpath', () => {
    expect(snippets.length).toBeGreaterThan(5);
    // TypeScript or JavaScript under any other tag would escape the check.
    const escaped = readme
      .split('\n')
      .filter(
        (l) => /^```(ts|tsx|mts|typescript|js|mjs|javascript)\b/.test(l) && l.trimEnd() !== '```ts',
      );
    expect(escaped).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      exports: Record<string, unknown>;
    };
    const subpaths = Object.keys(pkg.exports)
      .filter((key) => key !== './package.json')
      .map((key) => (key === '.' ? 'mcp-sessions' : `mcp-sessions${key.slice(1)}`));
    expect(Object.keys(paths).sort()).toEqual(subpaths.sort());
  });

  it('every ts snippet type-checks against the sources, in one compiler run', () => {
    const { perFile, global } = check();
    const problems = global.map((d) => describeDiagnostic(d, undefined));
    snippets.forEach((snippet, i) => {
      for (const d of perFile.get(fileOf(i)) ?? []) problems.push(describeDiagnostic(d, snippet));
    });
    const canary = perFile.get(canaryFile) ?? [];
    // The canary must fail on its option type (TS2322), not on an unresolved import (TS2307).
    expect(canary.map((d) => d.code)).toEqual([2322]);
    expect(problems, problems.join('\n')).toEqual([]);
  }, 60_000); // one compiler run: 3-8 s here; room for a loaded machine

  it('the quick start is examples/quick-start.ts, byte for byte', () => {
    const quickStart = snippets.find((s) => s.heading === 'Quick start');
    expect(quickStart, 'a ```ts block under "## Quick start"').toBeDefined();
    const example = readFileSync(join(root, 'examples', 'quick-start.ts'), 'utf8');
    expect(quickStart!.code).toBe(example);
  });
});
