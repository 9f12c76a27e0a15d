/**
 * `npm run bench [suite ...]`: runs the benchmark suites (all by default), prints a markdown
 * table and writes bench/results/latest.json and bench/results/latest.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCore } from './core.js';
import { type BenchRow, toMarkdown } from './lib/report.js';

const suites: Record<string, () => Promise<BenchRow[]>> = {
  core: runCore,
};

const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !(name in suites));
if (unknown.length > 0) {
  console.error(
    `Unknown suite(s): ${unknown.join(', ')}. Available: ${Object.keys(suites).join(', ')}.`,
  );
  process.exit(2);
}
const names = requested.length > 0 ? requested : Object.keys(suites);

const machine = {
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  platform: `${process.platform} ${process.arch}`,
};

const rows: BenchRow[] = [];
for (const name of names) {
  console.error(`bench: running ${name}...`);
  const started = Date.now();
  rows.push(...(await suites[name]!()));
  console.error(`bench: ${name} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

const markdown = toMarkdown(rows);
const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'results');
mkdirSync(out, { recursive: true });
const date = new Date().toISOString();
writeFileSync(
  join(out, 'latest.json'),
  `${JSON.stringify({ date, machine, suites: names, rows }, null, 2)}\n`,
);
writeFileSync(
  join(out, 'latest.md'),
  `Run ${date} on ${machine.cpu} (${machine.cores} cores, ${machine.memoryGiB} GiB), Node ${machine.node}.\n\n${markdown}`,
);
console.log(markdown);
const misses = rows.filter((row) => row.verdict === 'MISS');
if (misses.length > 0)
  console.error(
    `bench: ${misses.length} target(s) missed: ${misses.map((r) => r.name).join('; ')}`,
  );
