import { ConfigError } from '@pofa/core';
import type { PackedWeight } from '../formats/packed-weight';
import type { NativeAddon } from './native-addon';
import { prepareCsr, prepareInt8 } from './prepare-weight';
import type { Kernels, LinearOptions } from './types';
import { checkAttention, checkFeedForward, checkGemm, checkLength, checkLinear } from './validate-arguments';

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
  /** Runs one Linear; `inputTiled` / `outTiled`: that array is in the addon's token tiles (sparse and int8 weights only). */
  const run = (input: Float32Array, tokens: number, weight: PackedWeight, bias: Float32Array | undefined, options: LinearOptions, out: Float32Array, inputTiled = false, outTiled = false): void => {
    const { rows, cols } = weight;
    const gelu = options.gelu === true;
    if (weight.dtype === 'int8') {
      const quads = prepareInt8(weight);
      const fixed = options.activation;
      addon.linearInt8(input, tokens, cols, rows, quads.pointers, quads.columns, quads.weights, quads.rowSums, quads.scales, fixed === undefined, fixed?.scale ?? 1, fixed?.zeroPoint ?? 0, bias ?? null, gelu, out, inputTiled, outTiled);
    } else if (weight.format === 'dense') {
      addon.gemm(input, tokens, cols, weight.values as Float32Array, rows, bias ?? null, out);
      if (gelu) addon.gelu(out);
    } else if (weight.format === 'block' && weight.block[0] === 4 && weight.block[1] === 1) {
      addon.linearBlock4x1(input, tokens, cols, rows, weight.blockRowPointers, weight.blockColumns, weight.values as Float32Array, bias ?? null, gelu, out, inputTiled, outTiled);
    } else {
      const csr = weight.format === 'csr' ? { rowPointers: weight.rowPointers, columnIndices: weight.columnIndices, values: weight.values as Float32Array } : prepareCsr(weight);
      addon.linearCsr(input, tokens, cols, rows, csr.rowPointers, csr.columnIndices, csr.values, bias ?? null, gelu, out, inputTiled, outTiled);
    }
  };
  const linear = (input: Float32Array, tokens: number, weight: PackedWeight, bias?: Float32Array, options: LinearOptions = {}): Float32Array => {
    checkLinear(input, tokens, weight, bias, options.out);
    apply();
    const out = options.out ?? new Float32Array(tokens * weight.rows);
    run(input, tokens, weight, bias, options, out);
    return out;
  };
  // The feed-forward intermediate in token tiles, grown as needed and reused.
  let intermediate = new Float32Array(0);
  const feedForward: Kernels['feedForward'] = (input, tokens, first, firstBias, second, secondBias, options = {}) => {
    checkFeedForward(input, tokens, first, firstBias, second, secondBias, options.out);
    const out = options.out ?? new Float32Array(tokens * second.rows);
    const gelu = options.gelu === true;
    const [firstActivation, secondActivation] = options.activations ?? [];
    const firstOptions = { gelu, ...(firstActivation === undefined ? {} : { activation: firstActivation }) };
    const secondOptions = secondActivation === undefined ? {} : { activation: secondActivation };
    apply();
    // Dense fp32 Linears run as GEMMs on token-major arrays; every other kernel reads and writes tiles.
    if ((first.dtype === 'float32' && first.format === 'dense') || (second.dtype === 'float32' && second.format === 'dense')) {
      const inner = new Float32Array(tokens * first.rows);
      run(input, tokens, first, firstBias, firstOptions, inner);
      run(inner, tokens, second, secondBias, secondOptions, out);
      return out;
    }
    const tile = addon.info().tokenTile;
    const size = Math.ceil(tokens / tile) * tile * first.rows;
    if (intermediate.length < size) intermediate = new Float32Array(size);
    const inner = intermediate.subarray(0, size);
    run(input, tokens, first, firstBias, firstOptions, inner, false, true);
    run(inner, tokens, second, secondBias, secondOptions, out, true, false);
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
    feedForward,
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
      const stride = checkAttention(q, k, v, options);
      apply();
      const out = options.out ?? new Float32Array(options.batch * options.seq * options.heads * options.headDim);
      addon.attention(q, k, v, options.batch, options.seq, options.heads, options.headDim, options.mask ?? null, out, stride);
      return out;
    },
  };
}
