import { describe, expect, it } from 'vitest';
import { smallConfig, smallContents } from '../bundle/__fixtures__/small-encoder';
import { parseBundle } from '../bundle/read-bundle';
import { serializeBundle } from '../bundle/write-bundle';
import type { PackedFormat } from '../formats/packed-weight';
import { availableKernelImplementations } from '../kernels/kernel-implementations';
import { loadKernels } from '../kernels/load-kernels';
import { loadNativeAddon } from '../kernels/native-addon';
import { referenceKernels } from '../kernels/reference';
import { createEncoderRuntime } from './load-bundle';

// Wide enough for the vector paths (48 = 3 AVX-512 lanes of 16, 6 AVX2 lanes of 8) and 99
// tokens: one full 64-token tile of the sparse kernels and a partial one.
const config = smallConfig({ hiddenSize: 48, numHeads: 4, headsPerLayer: [4, 4], intermediateSizes: [96, 96], vocabSize: 50, maxPositions: 40 });
const inputs = {
  inputIds: Array.from({ length: 3 }, (_, row) => Array.from({ length: 33 }, (_, position) => (position >= 33 - 5 * row ? 0 : 1 + ((row * 11 + position * 7) % 49)))),
  attentionMask: Array.from({ length: 3 }, (_, row) => Array.from({ length: 33 }, (_, position) => (position >= 33 - 5 * row ? 0 : 1))),
};

function maxDifference(actual: Float32Array, expected: Float32Array): number {
  expect(actual.length).toBe(expected.length);
  return actual.reduce((max, value, index) => Math.max(max, Math.abs(value - expected[index])), 0);
}

const scale = (values: Float32Array): number => values.reduce((max, value) => Math.max(max, Math.abs(value)), 0);

describe('the encoder runtime on every instruction set', () => {
  const implementations = availableKernelImplementations({ threads: 2 });

  it('runs the portable kernels and every native instruction set this CPU has', () => {
    const { addon } = loadNativeAddon();
    const labels = implementations.map(([label]) => label);
    expect(labels).toEqual(['portable', ...(addon === undefined ? [] : (addon.info().supported as string[]).map((isa) => `native ${isa}`))]);
  });

  for (const format of ['csr', 'block', 'dense'] as PackedFormat[]) {
    for (const int8 of [false, true]) {
      it(`gives the reference kernels' outputs: ${format} ${int8 ? 'int8' : 'fp32'} bundle`, () => {
        const bundle = parseBundle(serializeBundle(smallContents(config, 17, { format, sparsity: format === 'dense' ? 0 : 0.8, int8 })));
        const expected = createEncoderRuntime(bundle, { kernels: referenceKernels }).run(inputs);
        for (const [label, kernels] of implementations) {
          const actual = createEncoderRuntime(bundle, { kernels }).run(inputs);
          // fp32: summation order apart. int8: the same integer products; an activation that rounds to the
          // neighbouring uint8 level after a different summation order moves an output by one quantization step.
          const tolerance = (int8 ? 5e-4 : 1e-5) * Math.max(1, scale(expected.hidden));
          expect(maxDifference(actual.hidden, expected.hidden), `${label} hidden`).toBeLessThan(tolerance);
          expect(maxDifference(actual.logits!, expected.logits!), `${label} logits`).toBeLessThan(tolerance);
        }
      });
    }
  }

  it.runIf(loadNativeAddon().addon !== undefined)('loadKernels({ isa }) forces an instruction set, and the addon runs it', () => {
    const { addon } = loadNativeAddon();
    for (const isa of addon!.info().supported as Array<'avx512-vnni' | 'avx2' | 'scalar'>) {
      const kernels = loadKernels({ isa, threads: 1 });
      expect(kernels.isa).toBe(isa);
      kernels.gemm(new Float32Array([1, 2]), 1, 2, new Float32Array([3, 4]), 1);
      expect(addon!.info().isa).toBe(isa);
    }
  });
});
