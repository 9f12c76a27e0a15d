// Installs the built package the way users do, from its tarball into fresh projects, and checks
// what the optional peer dependencies promise:
// - with SDK v2 only (`@modelcontextprotocol/server`), SDK v1 is not installed anywhere in the
//   tree, and every entry that needs no SDK v1 loads; with `@modelcontextprotocol/node` too, the
//   same, and `mcp-sessions/v2` loads;
// - with SDK v1 (`@modelcontextprotocol/sdk`), the v1 entries load and no SDK v2 package is pulled.
// Run after `npm run build`. Every install is bounded in time; temp dirs are removed after.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const INSTALL_TIMEOUT_MS = 240_000;
const LOAD_TIMEOUT_MS = 30_000;
const SDK_V1 = '@modelcontextprotocol/sdk';
const SDK_V2_SERVER = '@modelcontextprotocol/server';
const SDK_V2 = [SDK_V2_SERVER, '@modelcontextprotocol/node'];

// The `mcp-sessions/v2` entry is checked only once it is built: the script works on trees with
// and without it.
const hasV2 = existsSync('dist/v2/index.js');

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const root = mkdtempSync(join(tmpdir(), 'mcp-sessions-install-'));

function npm(args, cwd) {
  return execFileSync('npm', args, {
    cwd,
    encoding: 'utf8',
    timeout: INSTALL_TIMEOUT_MS,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
}

/** Makes a project, installs the tarball and `deps` into it, returns its directory. */
function project(name, tarball, deps) {
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: `check-install-${name}`, private: true, type: 'module' }),
  );
  npm(['install', tarball, ...deps, '--no-audit', '--no-fund', '--prefer-offline'], dir);
  return dir;
}

/** Every copy of `name` in the project's tree, from npm's lock file (nested copies included). */
function copiesOf(dir, name) {
  const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8'));
  return Object.keys(lock.packages).filter((path) => path.endsWith(`node_modules/${name}`));
}

function assertAbsent(dir, names) {
  for (const name of names) {
    const copies = copiesOf(dir, name);
    if (copies.length > 0 || existsSync(join(dir, 'node_modules', name))) {
      throw new Error(`${name} was installed in ${dir}: ${copies.join(', ')}`);
    }
  }
}

function assertLoads(dir, specifiers) {
  for (const specifier of specifiers) {
    execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import('${specifier}'); if (Object.keys(m).length === 0) throw new Error('no exports');`,
      ],
      { cwd: dir, stdio: 'inherit', timeout: LOAD_TIMEOUT_MS },
    );
    console.log(`check-install: loads ${specifier}`);
  }
}

try {
  const packed = npm(['pack', '--silent', '--pack-destination', root], process.cwd());
  const tarball = join(root, packed.trim().split('\n').pop());

  const server = project('sdk-v2-server', tarball, [SDK_V2_SERVER]);
  assertAbsent(server, [SDK_V1]);
  console.log(`check-install: npm install ${pkg.name} ${SDK_V2_SERVER} installs no ${SDK_V1}`);
  assertLoads(server, [
    pkg.name,
    `${pkg.name}/stores`,
    `${pkg.name}/resources`,
    `${pkg.name}/redis`,
    `${pkg.name}/client`,
  ]);

  if (hasV2) {
    const v2 = project('sdk-v2', tarball, SDK_V2);
    assertAbsent(v2, [SDK_V1]);
    console.log(`check-install: npm install ${pkg.name} ${SDK_V2.join(' ')} installs no ${SDK_V1}`);
    assertLoads(v2, [`${pkg.name}/v2`]);
  }

  const v1 = project('sdk-v1', tarball, [SDK_V1]);
  assertAbsent(v1, SDK_V2);
  console.log(`check-install: npm install ${pkg.name} ${SDK_V1} installs no SDK v2 package`);
  assertLoads(v1, [`${pkg.name}/streamable-http`, `${pkg.name}/sse`]);
} finally {
  rmSync(root, { recursive: true, force: true });
}
