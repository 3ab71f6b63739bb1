import { ShapeError } from '@pofa/core';
import { describe, expect, it } from 'vitest';
import { packWeight, type PackWeightOptions } from '../formats/pack-weight';
import type { PackedWeight } from '../formats/packed-weight';
import { quantizeWeightInt8 } from '../formats/quantize-weight';
import { randomMask, randomValues, seededRandom, type TestPattern } from '../test-support/random-data';
import { availableKernelImplementations } from './kernel-implementations';
import type { FeedForwardOptions } from './types';

const implementations = availableKernelImplementations({ threads: 2 }).filter(([, kernels]) => kernels.feedForward !== undefined);
const layouts: Array<{ label: string; options: PackWeightOptions; pattern: TestPattern; int8: boolean }> = [
  { label: 'csr fp32', options: { format: 'csr' }, pattern: 'unstructured', int8: false },
  { label: '4x1 fp32', options: { format: 'block', block: [4, 1] }, pattern: 'block4x1', int8: false },
  { label: 'bitmask fp32', options: { format: 'bitmask' }, pattern: 'unstructured', int8: false },
  { label: 'dense fp32', options: { format: 'dense' }, pattern: 'unstructured', int8: false },
  { label: '4x1 int8', options: { format: 'block', block: [4, 1] }, pattern: 'block4x1', int8: true },
  { label: 'csr int8', options: { format: 'csr' }, pattern: 'unstructured', int8: true },
];

function weight(random: () => number, rows: number, cols: number, layout: (typeof layouts)[number]): PackedWeight {
  const packed = packWeight(randomValues(random, rows * cols), rows, cols, { ...layout.options, mask: randomMask(random, rows, cols, 0.7, layout.pattern) });
  return layout.int8 ? quantizeWeightInt8(packed) : packed;
}

describe.runIf(implementations.length > 0).each(implementations)('%s feedForward', (_, kernels) => {
  for (const firstLayout of layouts) {
    it(`equals two linear calls exactly: ${firstLayout.label} then each layout, with GELU, odd token counts`, () => {
      for (const secondLayout of layouts) {
        for (const tokens of [1, 17, 70, 130]) {
          const random = seededRandom(tokens * 131 + firstLayout.label.length * 7 + secondLayout.label.length);
          const [cols, inner, rows] = [24, 52, 20];
          const [a, b] = [weight(random, inner, cols, firstLayout), weight(random, rows, inner, secondLayout)];
          const [biasA, biasB] = [randomValues(random, inner), randomValues(random, rows)];
          const input = randomValues(random, tokens * cols, 2);
          // Calibrated input quantization for one of the two int8 Linears (clamping part of the range), dynamic for the other.
          const calibrated = { scale: 4 / 255, zeroPoint: 120 };
          const activations: FeedForwardOptions['activations'] = tokens % 2 === 1 ? [calibrated, undefined] : [undefined, { scale: 2 / 255, zeroPoint: 10 }];
          const [first, second] = activations!;
          const hidden = kernels.linear(input, tokens, a, biasA, { gelu: true, ...(first === undefined ? {} : { activation: first }) });
          const expected = kernels.linear(hidden, tokens, b, biasB, second === undefined ? {} : { activation: second });
          expect(kernels.feedForward!(input, tokens, a, biasA, b, biasB, { gelu: true, activations })).toEqual(expected);
          const plain = kernels.linear(kernels.linear(input, tokens, a, undefined), tokens, b, undefined);
          const out = new Float32Array(tokens * rows).fill(Number.NaN);
          expect(kernels.feedForward!(input, tokens, a, undefined, b, undefined, { out })).toBe(out);
          expect(out).toEqual(plain);
        }
      }
    });
  }

  it('rejects a second weight that does not take the first one’s output', () => {
    const random = seededRandom(1);
    const [a, b] = [weight(random, 8, 4, layouts[0]), weight(random, 4, 6, layouts[0])];
    expect(() => kernels.feedForward!(randomValues(random, 3 * 4), 3, a, undefined, b, undefined)).toThrow(ShapeError);
    expect(() => kernels.feedForward!(randomValues(random, 3 * 4), 3, a, undefined, weight(random, 4, 8, layouts[0]), undefined, { out: new Float32Array(5) })).toThrow(ShapeError);
  });
});
