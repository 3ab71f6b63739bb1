import { ConfigError } from '@pofa/core';
import type { PackedWeight } from '../formats/packed-weight';
import type { NativeAddon } from './native-addon';
import { prepareCsr, prepareVnni } from './prepare-weight';
import type { Kernels, LinearOptions } from './types';
import { checkAttention, checkGemm, checkLength, checkLinear } from './validate-arguments';

/** The instruction sets the native addon may run. */
export type NativeIsa = 'avx512-vnni' | 'avx2' | 'scalar';

/**
 * Wraps the addon as {@link Kernels} running `isa` on `threads` threads. The addon's thread
 * pool and instruction set are process-wide; each wrapper re-applies its own before a call, so
 * several wrappers (say, 1 and 2 threads) can be used side by side.
 *
 * @example
 * ```ts
 * const { addon } = loadNativeAddon();
 * const kernels = createNativeKernels(addon!, { isa: 'avx2', threads: 1 });
 * ```
 */
export function createNativeKernels(addon: NativeAddon, options: { isa?: NativeIsa; threads?: number } = {}): Kernels {
  const info = addon.info();
  const isa = options.isa ?? info.isa;
  if (!info.supported.includes(isa)) {
    throw new ConfigError(`The native kernels cannot run ${isa} on this CPU`, {
      expected: `one of ${info.supported.join(', ')}`,
      received: isa,
      hint: 'Leave isa unset to use the best one the CPU supports',
    });
  }
  let threads = Math.max(1, Math.floor(options.threads ?? info.threads));
  const apply = (): void => {
    const current = addon.info();
    if (current.isa !== isa) addon.setIsa(isa);
    if (current.threads !== threads) addon.setThreads(threads);
  };
  const linear = (input: Float32Array, tokens: number, weight: PackedWeight, bias?: Float32Array, options: LinearOptions = {}): Float32Array => {
    checkLinear(input, tokens, weight, bias);
    apply();
    const { rows, cols } = weight;
    const out = new Float32Array(tokens * rows);
    const gelu = options.gelu === true;
    if (weight.dtype === 'int8') {
      const tiles = prepareVnni(weight);
      const fixed = options.activation;
      addon.linearInt8(input, tokens, cols, rows, tiles.pointers, tiles.groups, tiles.weights, tiles.rowSums, tiles.scales, fixed === undefined, fixed?.scale ?? 1, fixed?.zeroPoint ?? 0, bias ?? null, gelu, out);
    } else if (weight.format === 'dense') {
      addon.gemm(input, tokens, cols, weight.values as Float32Array, rows, bias ?? null, out);
      if (gelu) addon.gelu(out);
    } else if (weight.format === 'block' && weight.block[0] === 4 && weight.block[1] === 1) {
      addon.linearBlock4x1(input, tokens, cols, rows, weight.blockRowPointers, weight.blockColumns, weight.values as Float32Array, bias ?? null, gelu, out);
    } else {
      const csr = prepareCsr(weight);
      addon.linearCsr(input, tokens, cols, rows, csr.rowPointers, csr.columnIndices, csr.values, bias ?? null, gelu, out);
    }
    return out;
  };
  return {
    name: 'native',
    isa,
    get threads() {
      return threads;
    },
    setThreads(count: number) {
      threads = Math.max(1, Math.floor(count));
    },
    gemm(a, m, k, bTransposed, n, bias, out = new Float32Array(m * n)) {
      checkGemm(a, m, k, bTransposed, n, bias, out);
      apply();
      addon.gemm(a, m, k, bTransposed, n, bias ?? null, out);
      return out;
    },
    linear,
    layerNorm(x, rows, cols, gamma, beta, eps, out = new Float32Array(rows * cols)) {
      checkLength('layerNorm: x', x, rows * cols, 'x is [rows, cols]');
      checkLength('layerNorm: gamma', gamma, cols, 'gamma has one value per column');
      checkLength('layerNorm: beta', beta, cols, 'beta has one value per column');
      checkLength('layerNorm: out', out, rows * cols, 'out is [rows, cols]');
      apply();
      addon.layerNorm(x, rows, cols, gamma, beta, eps, out);
      return out;
    },
    gelu(x) {
      apply();
      addon.gelu(x);
      return x;
    },
    addInPlace(a, b) {
      checkLength('addInPlace: b', b, a.length, 'a and b have the same size');
      apply();
      addon.add(a, b);
      return a;
    },
    attention(q, k, v, options) {
      checkAttention(q, k, v, options);
      apply();
      const out = new Float32Array(q.length);
      addon.attention(q, k, v, options.batch, options.seq, options.heads, options.headDim, options.mask ?? null, out);
      return out;
    },
  };
}
