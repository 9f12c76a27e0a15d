/**
 * `npm run bench [suite ...] [--flag value ...]`: runs the benchmark suites (all by default),
 * prints a markdown table with PASS/MISS next to each target, and writes
 * bench/results/latest.json and bench/results/latest.md, except for suites with results of
 * their own (`fleet` and `v2`: bench/results/<suite>.json and .md), so running one of those leaves
 * the others' results in place. Flags: see `./lib/settings.ts`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCore } from './core.js';
import { runFleet } from './fleet.js';
import { runHandles } from './handles.js';
import { runHttp } from './http.js';
import { CHART_FILE, touchThroughputChart } from './lib/chart.js';
import { type BenchRow, toMarkdown } from './lib/report.js';
import { type BenchSettings, parseSettings } from './lib/settings.js';
import { runRedis } from './redis.js';
import { runScale } from './scale.js';
import { runSoak } from './soak.js';
import { runV2 } from './v2.js';

const suites: Record<string, (settings: BenchSettings) => Promise<BenchRow[]>> = {
  core: runCore,
  http: runHttp,
  redis: runRedis,
  soak: runSoak,
  scale: runScale,
  fleet: runFleet,
  v2: runV2,
  handles: runHandles,
};

/** Suites whose results go to `results/<suite>.json` and `.md` rather than `latest.*`. */
const OWN_RESULTS: ReadonlySet<string> = new Set(['fleet', 'v2', 'handles']);

let parsed: ReturnType<typeof parseSettings>;
try {
  parsed = parseSettings(process.argv.slice(2));
} catch (error) {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
const { suites: requested, settings } = parsed;
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
  loadAverageAtStart: Number(loadavg()[0]!.toFixed(2)),
};

const rows: BenchRow[] = [];
for (const name of names) {
  console.error(`bench: running ${name}...`);
  const started = Date.now();
  rows.push(...(await suites[name]!(settings)));
  console.error(`bench: ${name} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'results');
mkdirSync(out, { recursive: true });
const date = new Date().toISOString();

/** Writes `<base>.json` (figures, settings, machine) and `<base>.md` (the table). */
function writeResults(base: string, suitesRun: string[], suiteRows: BenchRow[]): void {
  writeFileSync(
    join(out, `${base}.json`),
    `${JSON.stringify({ date, machine, settings, suites: suitesRun, rows: suiteRows }, null, 2)}\n`,
  );
  writeFileSync(
    join(out, `${base}.md`),
    `Run ${date} on ${machine.cpu} (${machine.cores} cores, ${machine.memoryGiB} GiB), Node ${machine.node}, load average ${machine.loadAverageAtStart} at start.\n\n${toMarkdown(suiteRows)}`,
  );
}

const shared = names.filter((name) => !OWN_RESULTS.has(name));
if (shared.length > 0) {
  writeResults(
    'latest',
    shared,
    rows.filter((row) => !OWN_RESULTS.has(row.suite)),
  );
}
for (const name of names.filter((n) => OWN_RESULTS.has(n))) {
  writeResults(
    name,
    [name],
    rows.filter((row) => row.suite === name),
  );
}
const markdown = toMarkdown(rows);
const chart = touchThroughputChart(rows);
if (chart !== undefined) writeFileSync(join(out, CHART_FILE), chart);
console.log(markdown);
const misses = rows.filter((row) => row.verdict === 'MISS');
if (misses.length > 0)
  console.error(
    `bench: ${misses.length} target(s) missed: ${misses.map((r) => r.name).join('; ')}`,
  );
