import type { NativeAddon } from '../kernels/native-addon';

/** The training functions of the native addon (`native/training-bindings.cc`); arrays are used in place. */
export interface TrainingAddon extends NativeAddon {
  gemmStrided(
    batch: number, m: number, n: number, k: number,
    a: Float32Array, aBatches: number, aBatchStride: number, aRow: number, aCol: number,
    b: Float32Array, bBatches: number, bBatchStride: number, bRow: number, bCol: number,
    bias: Float32Array | null, out: Float32Array,
  ): void;
  softmax(x: Float32Array, rows: number, cols: number, log: boolean, out: Float32Array): void;
  /** out = op(x): 0 erf, 1 exp, 2 log, 3 sqrt, 4 rsqrt, 5 square, 6 neg. */
  unary(op: number, x: Float32Array, out: Float32Array): void;
  /** out[o, i] = sum (op 0) or max (op 1) over m of x[o, m, i]. */
  reduce(op: number, x: Float32Array, outer: number, middle: number, inner: number, out: Float32Array): void;
  binary(op: number, layout: Float64Array, a: Float32Array, b: Float32Array, out: Float32Array): void;
}

/** Whether a loaded addon was built with the training kernels (an older build lacks them). */
export function hasTrainingKernels(addon: NativeAddon): addon is TrainingAddon {
  const candidate = addon as Partial<TrainingAddon>;
  return typeof candidate.gemmStrided === 'function' && typeof candidate.binary === 'function' && typeof candidate.softmax === 'function' && typeof candidate.reduce === 'function';
}
