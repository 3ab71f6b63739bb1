const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
const WIDTH = 560;
const HEIGHT = 360;
const MARGIN = { left: 64, right: 150, top: 40, bottom: 50 };

/** One line of a plot: its legend name, `[x, y]` points, dashed or solid, and a colour index. */
export interface PlotSeries {
  name: string;
  points: Array<[number, number]>;
  dashed?: boolean;
  /** Colour by index (default: the series' position), so related series can share one. */
  colorIndex?: number;
}

const escape = (text: string): string => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

function extent(values: number[], pad: number): [number, number] {
  let low = Math.min(...values);
  let high = Math.max(...values);
  if (low === high) [low, high] = [low - 0.5, high + 0.5];
  const margin = (high - low) * pad;
  return [low - margin, high + margin];
}

function ticks([low, high]: [number, number], count: number): number[] {
  return Array.from({ length: count + 1 }, (_, index) => low + ((high - low) * index) / count);
}

/**
 * An SVG line plot (no dependencies): `series` of `{ name, points: [[x, y], ...], dashed? }`
 * (points with a non-finite coordinate are skipped), with axis labels, five ticks per axis and a
 * legend.
 *
 * @example
 * ```ts
 * const svg = lineChartSvg({ title: 'spam', xLabel: 'sparsity', yLabel: 'f1',
 *   series: [{ name: 'bert-base', points: [[0, 0.9], [0.85, 0.88], [0.9, 0.86]] }] });
 * ```
 */
export function lineChartSvg({ title, xLabel, yLabel, series }: { title: string; xLabel: string; yLabel: string; series: readonly PlotSeries[] }): string {
  const drawn = series.map((item, index) => ({ ...item, colorIndex: item.colorIndex ?? index, points: item.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)) }));
  const all = drawn.flatMap((item) => item.points);
  const xs = all.length === 0 ? [0, 1] : all.map(([x]) => x);
  const ys = all.length === 0 ? [0, 1] : all.map(([, y]) => y);
  const xRange = extent(xs, 0.05);
  const yRange = extent(ys, 0.1);
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const px = (x: number): number => MARGIN.left + ((x - xRange[0]) / (xRange[1] - xRange[0])) * plotWidth;
  const py = (y: number): number => MARGIN.top + plotHeight - ((y - yRange[0]) / (yRange[1] - yRange[0])) * plotHeight;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${MARGIN.left + plotWidth / 2}" y="22" text-anchor="middle" font-size="14">${escape(title)}</text>`,
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#444"/>`,
  ];
  for (const x of ticks(xRange, 5)) {
    parts.push(`<line x1="${px(x).toFixed(1)}" y1="${MARGIN.top + plotHeight}" x2="${px(x).toFixed(1)}" y2="${MARGIN.top + plotHeight + 4}" stroke="#444"/>`);
    parts.push(`<text x="${px(x).toFixed(1)}" y="${MARGIN.top + plotHeight + 17}" text-anchor="middle">${x.toFixed(2)}</text>`);
  }
  for (const y of ticks(yRange, 5)) {
    parts.push(`<line x1="${MARGIN.left - 4}" y1="${py(y).toFixed(1)}" x2="${MARGIN.left + plotWidth}" y2="${py(y).toFixed(1)}" stroke="#ddd"/>`);
    parts.push(`<text x="${MARGIN.left - 7}" y="${(py(y) + 4).toFixed(1)}" text-anchor="end">${y.toFixed(3)}</text>`);
  }
  parts.push(`<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 10}" text-anchor="middle">${escape(xLabel)}</text>`);
  parts.push(`<text transform="translate(16 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escape(yLabel)}</text>`);
  drawn.forEach((item, index) => {
    const color = COLORS[item.colorIndex % COLORS.length];
    const dash = item.dashed === true ? ' stroke-dasharray="5 4"' : '';
    if (item.points.length > 1) {
      const path = item.points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
      parts.push(`<polyline points="${path}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`);
    }
    for (const [x, y] of item.points) parts.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3.5" fill="${color}"/>`);
    const legendY = MARGIN.top + 10 + index * 18;
    const legendX = MARGIN.left + plotWidth + 12;
    parts.push(`<line x1="${legendX}" y1="${legendY}" x2="${legendX + 22}" y2="${legendY}" stroke="${color}" stroke-width="2"${dash}/>`);
    parts.push(`<text x="${legendX + 28}" y="${legendY + 4}">${escape(item.name)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
