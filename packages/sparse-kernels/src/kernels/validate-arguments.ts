import { ShapeError } from '@pofa/core';
import type { PackedWeight } from '../formats/packed-weight';
import type { AttentionOptions } from './types';

/** Throws a {@link ShapeError} unless `array` holds exactly `length` values. */
export function checkLength(what: string, array: ArrayLike<number> | undefined, length: number, hint: string): void {
  if (array === undefined || array.length !== length) {
    throw new ShapeError(`${what} has the wrong size`, {
      expected: `${length} values`,
      received: array === undefined ? 'nothing' : `${array.length} values`,
      hint,
    });
  }
}

/** Checks the arguments of `Kernels.gemm`. */
export function checkGemm(a: Float32Array, m: number, k: number, bTransposed: Float32Array, n: number, bias?: Float32Array, out?: Float32Array): void {
  checkLength('gemm: a', a, m * k, 'a is [m, k] row-major');
  checkLength('gemm: bTransposed', bTransposed, n * k, 'bTransposed is [n, k] row-major (a weight as [out, in])');
  if (bias !== undefined) checkLength('gemm: bias', bias, n, 'bias has one value per output column');
  if (out !== undefined) checkLength('gemm: out', out, m * n, 'out is [m, n]');
}

/** Checks the arguments of `Kernels.linear`. */
export function checkLinear(input: Float32Array, tokens: number, weight: PackedWeight, bias?: Float32Array): void {
  checkLength('linear: input', input, tokens * weight.cols, `input is [tokens, in] = [${tokens}, ${weight.cols}]`);
  if (bias !== undefined) checkLength('linear: bias', bias, weight.rows, 'bias has one value per output row of the weight');
  if (weight.dtype === 'int8' && (weight.scales === undefined || !(weight.values instanceof Int8Array))) {
    throw new ShapeError('linear: an int8 weight needs Int8Array values and per-row scales', {
      expected: 'the result of quantizeWeightInt8',
      received: `values ${weight.values.constructor.name}, scales ${weight.scales === undefined ? 'missing' : 'present'}`,
      hint: 'Quantize the packed weight with quantizeWeightInt8',
    });
  }
}

/** Checks the arguments of `Kernels.attention`. */
export function checkAttention(q: Float32Array, k: Float32Array, v: Float32Array, options: AttentionOptions): void {
  const size = options.batch * options.seq * options.heads * options.headDim;
  const hint = 'q, k and v are [batch, seq, heads · headDim]';
  checkLength('attention: q', q, size, hint);
  checkLength('attention: k', k, size, hint);
  checkLength('attention: v', v, size, hint);
  if (options.mask !== undefined) checkLength('attention: mask', options.mask, options.batch * options.seq, 'the mask is [batch, seq] of 1/0');
}
