// Checks the package the way a consumer sees it: publint for package.json and the file layout,
// @arethetypeswrong/cli for types under every module resolution, then every subpath loaded by
// name (the package resolves itself through `exports`) with `import` and, where offered, `require`.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';

const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));

const dir = mkdtempSync(join(tmpdir(), 'mcp-sessions-pack-'));
try {
  const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], {
    encoding: 'utf8',
  });
  const tarball = join(dir, out.trim().split('\n').pop());
  run('npx', ['--no-install', 'publint', 'run', '--strict', tarball]);
  run('npx', [
    '--no-install',
    'attw',
    tarball,
    '--profile',
    'node16',
    '--exclude-entrypoints',
    './testing',
  ]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

for (const [subpath, target] of Object.entries(pkg.exports)) {
  if (subpath === './package.json') continue;
  const name = subpath === '.' ? pkg.name : `${pkg.name}${subpath.slice(1)}`;
  const loads = [
    [
      '--input-type=module',
      '-e',
      `const m = await import('${name}'); if (Object.keys(m).length === 0) throw new Error('no exports');`,
    ],
  ];
  if (target.require !== undefined) {
    loads.push([
      '-e',
      `const m = require('${name}'); if (Object.keys(m).length === 0) throw new Error('no exports');`,
    ]);
  }
  for (const args of loads) run(process.execPath, args);
  console.log(`loads: ${name} (${target.require === undefined ? 'import' : 'import, require'})`);
}

// Each built entry, with every chunk it loads, must not load the other SDK: the v2 entry never
// SDK v1 (`@modelcontextprotocol/sdk`), the other entries never SDK v2. Import statements and
// require calls only (doc comments may name either package).
const SDK_V1 = /^@modelcontextprotocol\/sdk(\/|$)/;
const SDK_V2 = /^@modelcontextprotocol\/(server|client|node|express|core)(\/|$)/;
const STATEMENT =
  /^\s*(?:import|export)\b[^'"]*?['"]([^'"]+)['"]|\brequire\(['"]([^'"]+)['"]\)|\bimport\(['"]([^'"]+)['"]\)/gm;

function packagesLoadedBy(file) {
  const packages = new Set();
  const seen = new Set();
  const queue = [file];
  while (queue.length > 0) {
    const next = queue.pop();
    if (seen.has(next)) continue;
    seen.add(next);
    for (const match of readFileSync(next, 'utf8').matchAll(STATEMENT)) {
      const specifier = match[1] ?? match[2] ?? match[3];
      if (specifier.startsWith('.')) {
        const built = normalize(join(dirname(next), specifier));
        // A declaration file names its sibling declarations by their `.js`/`.cjs` names.
        const target = existsSync(built) ? built : built.replace(/\.(c?)js$/, '.d.$1ts');
        if (!existsSync(target)) throw new Error(`${next} loads ${specifier}, which is missing`);
        queue.push(target);
      } else packages.add(specifier);
    }
  }
  return packages;
}

const broken = [];
for (const [subpath, target] of Object.entries(pkg.exports)) {
  if (subpath === './package.json') continue;
  const forbidden = subpath === './v2' ? SDK_V1 : SDK_V2;
  const files = [target.import, target.require]
    .filter((condition) => condition !== undefined)
    .flatMap((condition) => [condition.default, condition.types]);
  for (const file of files) {
    for (const specifier of packagesLoadedBy(file)) {
      if (forbidden.test(specifier)) broken.push(`${file} loads ${specifier}`);
    }
  }
}
if (broken.length > 0) {
  console.error(`An entry loads the other SDK:\n  ${broken.join('\n  ')}`);
  process.exit(1);
}
console.log('sdk layering: the v2 entry loads no SDK v1, the other entries no SDK v2');
