import { describe, expect, it } from 'vitest';
import { fixed, markdownTable } from './markdown-table';
import { lineChartSvg } from './svg-line-plot';

describe('markdownTable and fixed', () => {
  it('aligns columns, escapes pipes and shows missing cells as —', () => {
    expect(markdownTable(['model', 'f1'], [['a|b', 0.5], ['c', null]], ['l', 'r'])).toBe('| model | f1 |\n| --- | ---: |\n| a\\|b | 0.5 |\n| c | — |');
    expect([fixed(0.91234, 3), fixed(Number.NaN, 2), fixed('1', 2)]).toEqual(['0.912', null, null]);
  });
});

describe('lineChartSvg', () => {
  it('maps points onto the plot area with 5% / 10% padding and skips non-finite points', () => {
    const svg = lineChartSvg({ title: 'a < b', xLabel: 'x', yLabel: 'y', series: [{ name: 's', points: [[0, 0], [1, 1], [0.5, Number.NaN]] }] });
    // The plot area is 346 × 270 px from (64, 40); x spans [-0.05, 1.05] and y [-0.1, 1.1]:
    // (0, 0) → (64 + 0.05/1.1·346, 40 + 270 − 0.1/1.2·270) = (79.7, 287.5); (1, 1) → (394.3, 62.5).
    expect(svg).toContain('<polyline points="79.7,287.5 394.3,62.5"');
    expect(svg.match(/<circle/g)).toHaveLength(2);
    expect(svg).toContain('a &lt; b');
  });
});
