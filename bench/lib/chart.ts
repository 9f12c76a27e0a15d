/** A grouped bar chart on a log scale, as hand-written SVG text (no dependency). */
import type { BenchRow } from './report.js';

const WIDTH = 760;
const HEIGHT = 380;
const MARGIN = { top: 48, right: 24, bottom: 56, left: 84 };
const COLOURS = ['#2563eb', '#9ca3af', '#f59e0b', '#10b981', '#ef4444'];

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** 12 345 678 -> "12.3 M". */
function short(value: number): string {
  for (const [size, suffix] of [
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ] as const) {
    if (value >= size) return `${(value / size).toPrecision(3)} ${suffix}`;
  }
  return value.toPrecision(3);
}

/**
 * Renders the rows that carry `chart` coordinates as grouped bars: one group per `chart.x`
 * (in first-seen order), one bar per `chart.series`, heights on a log10 scale. Answers
 * `undefined` when no row has coordinates.
 */
export function barChartSvg(rows: readonly BenchRow[], title: string): string | undefined {
  const points = rows.filter((row) => row.chart !== undefined && row.value > 0);
  if (points.length === 0) return undefined;
  const xs = [...new Set(points.map((row) => row.chart!.x))];
  const series = [...new Set(points.map((row) => row.chart!.series))];
  const values = points.map((row) => row.value);
  const low = Math.floor(Math.log10(Math.min(...values)));
  const high = Math.ceil(Math.log10(Math.max(...values)));
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const y = (value: number) =>
    MARGIN.top + plotH - ((Math.log10(value) - low) / Math.max(1, high - low)) * plotH;
  const groupW = plotW / xs.length;
  const barW = (groupW * 0.8) / series.length;

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15" font-weight="600">${escapeXml(title)}</text>`,
  ];
  for (let power = low; power <= high; power++) {
    const at = y(10 ** power).toFixed(1);
    out.push(
      `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${at}" y2="${at}" stroke="#e5e7eb"/>`,
      `<text x="${MARGIN.left - 8}" y="${at}" text-anchor="end" dominant-baseline="middle" fill="#374151">${short(10 ** power)}</text>`,
    );
  }
  xs.forEach((x, gi) => {
    const groupX = MARGIN.left + gi * groupW + groupW * 0.1;
    series.forEach((name, si) => {
      const row = points.find((r) => r.chart!.x === x && r.chart!.series === name);
      if (row === undefined) return;
      const top = y(row.value);
      const left = groupX + si * barW;
      out.push(
        `<rect x="${left.toFixed(1)}" y="${top.toFixed(1)}" width="${(barW - 4).toFixed(1)}" height="${(MARGIN.top + plotH - top).toFixed(1)}" fill="${COLOURS[si % COLOURS.length]}"><title>${escapeXml(`${name}, ${x}: ${short(row.value)} ${row.unit}`)}</title></rect>`,
        `<text x="${(left + (barW - 4) / 2).toFixed(1)}" y="${(top - 4).toFixed(1)}" text-anchor="middle" font-size="10" fill="#111827">${short(row.value)}</text>`,
      );
    });
    out.push(
      `<text x="${(MARGIN.left + gi * groupW + groupW / 2).toFixed(1)}" y="${MARGIN.top + plotH + 20}" text-anchor="middle" fill="#111827">${escapeXml(x)}</text>`,
    );
  });
  const unit = points[0]!.unit;
  out.push(
    `<text transform="translate(18 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle" fill="#374151">${escapeXml(`${unit} (log scale)`)}</text>`,
  );
  let legendX = MARGIN.left;
  series.forEach((name, si) => {
    const legendY = HEIGHT - 16;
    out.push(
      `<rect x="${legendX}" y="${legendY - 10}" width="12" height="12" fill="${COLOURS[si % COLOURS.length]}"/>`,
      `<text x="${legendX + 18}" y="${legendY}" font-size="11" fill="#111827">${escapeXml(name)}</text>`,
    );
    legendX += 30 + name.length * 6.2;
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** File name of the results chart, under bench/results/. */
export const CHART_FILE = 'touch-throughput.svg';

/** The results chart: touches per second of each structure at each session count. */
export function touchThroughputChart(rows: readonly BenchRow[]): string | undefined {
  return barChartSvg(rows, 'Touches per second by live sessions, per structure');
}
