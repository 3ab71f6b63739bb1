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

/** Throws unless an int8 weight has Int8Array values and per-row scales. */
function checkInt8(what: string, weight: PackedWeight): void {
  if (weight.dtype === 'int8' && (weight.scales === undefined || !(weight.values instanceof Int8Array))) {
    throw new ShapeError(`${what}: an int8 weight needs Int8Array values and per-row scales`, {
      expected: 'the result of quantizeWeightInt8',
      received: `values ${weight.values.constructor.name}, scales ${weight.scales === undefined ? 'missing' : 'present'}`,
      hint: 'Quantize the packed weight with quantizeWeightInt8',
    });
  }
}

/** Checks the arguments of `Kernels.linear`. */
export function checkLinear(input: Float32Array, tokens: number, weight: PackedWeight, bias?: Float32Array, out?: Float32Array): void {
  checkLength('linear: input', input, tokens * weight.cols, `input is [tokens, in] = [${tokens}, ${weight.cols}]`);
  if (out !== undefined) checkLength('linear: out', out, tokens * weight.rows, `out is [tokens, out] = [${tokens}, ${weight.rows}]`);
  if (bias !== undefined) checkLength('linear: bias', bias, weight.rows, 'bias has one value per output row of the weight');
  checkInt8('linear', weight);
}

/** Checks the arguments of `Kernels.feedForward`: two Linears, the second reading the first's output. */
export function checkFeedForward(
  input: Float32Array,
  tokens: number,
  first: PackedWeight,
  firstBias: Float32Array | undefined,
  second: PackedWeight,
  secondBias: Float32Array | undefined,
  out?: Float32Array,
): void {
  checkLinear(input, tokens, first, firstBias);
  if (second.cols !== first.rows) {
    throw new ShapeError("feedForward: the second weight does not take the first one's output", {
      expected: `a second weight with ${first.rows} input columns`,
      received: `${second.cols} input columns`,
      hint: 'Pass the [inner, in] weight first and the [out, inner] weight second',
    });
  }
  if (secondBias !== undefined) checkLength('feedForward: second bias', secondBias, second.rows, 'the second bias has one value per output row of the second weight');
  if (out !== undefined) checkLength('feedForward: out', out, tokens * second.rows, `out is [tokens, out] = [${tokens}, ${second.rows}]`);
  checkInt8('feedForward', second);
}

/** Checks the arguments of `Kernels.attention`; returns the row stride of q, k and v. */
export function checkAttention(q: Float32Array, k: Float32Array, v: Float32Array, options: AttentionOptions): number {
  const width = options.heads * options.headDim;
  const size = options.batch * options.seq * width;
  const stride = options.stride ?? width;
  if (!Number.isInteger(stride) || stride < width) {
    throw new ShapeError('attention: stride must be an integer of at least heads · headDim', {
      expected: `an integer ≥ ${width}`,
      received: String(options.stride),
      hint: 'Leave stride unset for contiguous [batch, seq, heads · headDim] inputs',
    });
  }
  const hint = stride === width ? 'q, k and v are [batch, seq, heads · headDim]' : `q, k and v hold batch · seq rows of heads · headDim values, ${stride} apart`;
  const length = size === 0 ? 0 : (options.batch * options.seq - 1) * stride + width;
  for (const [name, array] of [['q', q], ['k', k], ['v', v]] as const) {
    if (stride === width) checkLength(`attention: ${name}`, array, size, hint);
    else if (array.length < length) checkLength(`attention: ${name}`, array, length, hint);
  }
  if (options.mask !== undefined) checkLength('attention: mask', options.mask, options.batch * options.seq, 'the mask is [batch, seq] of 1/0');
  if (options.out !== undefined) checkLength('attention: out', options.out, size, 'out is [batch, seq, heads · headDim] like q');
  return stride;
}
