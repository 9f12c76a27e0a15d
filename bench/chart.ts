/**
 * Redraws the results chart (bench/results/touch-throughput.svg) from bench/results/latest.json (`npm run bench`
 * draws it too, whenever the core suite ran): `npx tsx bench/chart.ts`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHART_FILE, touchThroughputChart } from './lib/chart.js';
import type { BenchRow } from './lib/report.js';

const results = join(dirname(fileURLToPath(import.meta.url)), 'results');
const { rows } = JSON.parse(readFileSync(join(results, 'latest.json'), 'utf8')) as {
  rows: BenchRow[];
};
const svg = touchThroughputChart(rows);
if (svg === undefined) {
  console.error('latest.json holds no core suite figures: run `npm run bench -- core` first.');
  process.exit(1);
}
writeFileSync(join(results, CHART_FILE), svg);
console.log(join(results, CHART_FILE));
