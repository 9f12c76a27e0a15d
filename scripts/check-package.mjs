// Checks the package the way a consumer sees it: publint for package.json and the file layout,
// @arethetypeswrong/cli for types under every module resolution, then every subpath loaded by
// name (the package resolves itself through `exports`) with `import` and, where offered, `require`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
