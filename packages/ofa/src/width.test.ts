import { ConfigError } from '@pofa/core';
import { describe, expect, it } from 'vitest';
import { roundHalfEven } from '@pofa/core';
import { DEFAULT_WIDTH_MULTIPLIERS, resolveWidth } from './width';

describe('resolveWidth', () => {
  it('gives BERT-base DynaBERT\'s 12/10/8/6 heads and 3072/2560/2048/1536 neurons', () => {
    const counts = DEFAULT_WIDTH_MULTIPLIERS.map((width) => resolveWidth({ heads: 12, ffn: 3072 }, width));
    expect(counts).toEqual([
      { heads: 12, ffn: 3072 },
      { heads: 10, ffn: 2560 },
      { heads: 8, ffn: 2048 },
      { heads: 6, ffn: 1536 },
    ]);
  });

  it('rounds small head counts to the nearest head and keeps the FFN in proportion', () => {
    // bert-tiny: 2 heads → round(1.666) = 2, round(1.334) = 1, round(1) = 1.
    expect(DEFAULT_WIDTH_MULTIPLIERS.map((width) => resolveWidth({ heads: 2, ffn: 512 }, width))).toEqual([
      { heads: 2, ffn: 512 },
      { heads: 2, ffn: 512 },
      { heads: 1, ffn: 256 },
      { heads: 1, ffn: 256 },
    ]);
    // 4 heads → 4, round(3.332) = 3, round(2.668) = 3, 2; FFN 24 → 24, 18, 18, 12.
    expect(DEFAULT_WIDTH_MULTIPLIERS.map((width) => resolveWidth({ heads: 4, ffn: 24 }, width).ffn)).toEqual([24, 18, 18, 12]);
    expect(resolveWidth({ heads: 2, ffn: 512 }, 0.1)).toEqual({ heads: 1, ffn: 256 });
  });

  it('rounds ties to even as Python does', () => {
    expect([0.5, 1.5, 2.5, 3.5, 2.4999, 2.5001].map(roundHalfEven)).toEqual([0, 2, 2, 4, 2, 3]);
    expect(resolveWidth({ heads: 5, ffn: 100 }, 0.5)).toEqual({ heads: 2, ffn: 40 });
  });

  it('rounds each dimension on its own when given per dimension', () => {
    expect(resolveWidth({ heads: 12, ffn: 3072 }, { heads: 0.5, ffn: 0.833 })).toEqual({ heads: 6, ffn: 2559 });
    expect(resolveWidth({ heads: 12, ffn: 3072 }, { ffn: 0.25 })).toEqual({ heads: 12, ffn: 768 });
  });

  it('rejects multipliers outside (0, 1]', () => {
    for (const width of [0, -0.5, 1.2, Number.NaN, { heads: 2 }, { depth: 0.5 }]) {
      expect(() => resolveWidth({ heads: 12, ffn: 3072 }, width as never)).toThrow(ConfigError);
    }
  });
});
