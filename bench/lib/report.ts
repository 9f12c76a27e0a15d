/** One measured figure, as printed in the table and stored in results/latest.json. */
export interface BenchRow {
  suite: string;
  name: string;
  value: number;
  unit: string;
  /** Relative spread of the samples (median absolute deviation / median), when sampled. */
  spread?: number;
  /** What the figure is compared with, e.g. `>= 10000000` or `<= 50`. */
  target?: string;
  /** PASS or MISS against the target. */
  verdict?: 'PASS' | 'MISS';
  note?: string;
  /** Where the figure goes in the results chart: its bar series and its group on the x axis. */
  chart?: { series: string; x: string };
}

/** Verdict of `value` against a `>= x` or `<= x` target. */
export function judge(
  value: number,
  op: '>=' | '<=',
  bound: number,
): Pick<BenchRow, 'target' | 'verdict'> {
  const pass = op === '>=' ? value >= bound : value <= bound;
  return { target: `${op} ${bound}`, verdict: pass ? 'PASS' : 'MISS' };
}

/** Median and relative median absolute deviation of samples. */
export function medianOf(samples: number[]): { median: number; spread: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = (values: number[]) => {
    const m = values.length >> 1;
    return values.length % 2 === 1 ? values[m]! : (values[m - 1]! + values[m]!) / 2;
  };
  const median = mid(sorted);
  const deviations = sorted.map((v) => Math.abs(v - median)).sort((a, b) => a - b);
  return { median, spread: median === 0 ? 0 : mid(deviations) / median };
}

/** Formats a number for the table: integers with thousands separators, small values with 3 significant digits. */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toPrecision(3);
}

/** Renders rows as a markdown table. */
export function toMarkdown(rows: BenchRow[]): string {
  const lines = [
    '| suite | figure | value | unit | spread | target | verdict |',
    '|---|---|---:|---|---:|---|---|',
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.suite} | ${row.name}${row.note ? ` (${row.note})` : ''} | ${formatValue(row.value)} | ${row.unit} | ${
        row.spread === undefined ? '' : `±${(row.spread * 100).toFixed(1)}%`
      } | ${row.target ?? ''} | ${row.verdict ?? ''} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Forces a full garbage collection (needs `node --expose-gc`). */
export function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined)
    throw new Error('Run the benchmarks with node --expose-gc (npm run bench does).');
  collect();
  collect();
}
