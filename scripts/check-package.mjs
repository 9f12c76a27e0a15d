// Packs the library and checks the tarball the way a consumer sees it: publint for package.json
// and file layout, @arethetypeswrong/cli for types under every module resolution.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'mcp-sessions-pack-'));
const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });
try {
  const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], {
    encoding: 'utf8',
  });
  const tarball = join(dir, out.trim().split('\n').pop());
  run('npx', ['--no-install', 'publint', 'run', '--strict', tarball]);
  run('npx', ['--no-install', 'attw', tarball, '--profile', 'node16']);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
