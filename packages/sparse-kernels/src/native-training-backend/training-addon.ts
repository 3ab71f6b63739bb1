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
  /** The fused kernels of `@pofa/core`'s FUSED_KERNELS (absent from builds before them). */
  fusedSoftmaxXent?(x: Float32Array, labels: Int32Array, rows: number, cols: number, rowLoss: Float32Array, lse: Float32Array): void;
  fusedSoftmaxXentGrad?(x: Float32Array, labels: Int32Array, lse: Float32Array, scale: Float32Array, rows: number, cols: number, out: Float32Array): void;
  fusedLayerNorm?(x: Float32Array, gamma: Float32Array, beta: Float32Array, rows: number, cols: number, eps: number, y: Float32Array, mean: Float32Array, rstd: Float32Array): void;
  fusedLayerNormGrad?(dy: Float32Array, x: Float32Array, gamma: Float32Array, mean: Float32Array, rstd: Float32Array, rows: number, cols: number, dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array): void;
  /** op 0: out = GELU(a); op 1: out = a · GELU'(b). */
  fusedGelu?(op: number, a: Float32Array, b: Float32Array, out: Float32Array): void;
  /** x viewed as [outer, channels, inner]: out = fake-quantized x, mask = 1 where the unclamped integer is in range (FUSED_KERNELS.fakeQuantize); returns how many are out of range. */
  fusedFakeQuantize?(x: Float32Array, scale: Float32Array, inverse: Float32Array, zeroPoint: Float32Array, channels: number, inner: number, quantMin: number, quantMax: number, out: Float32Array, mask: Float32Array | null): number;
  /** Per-channel min and max of x viewed as [outer, channels, inner], NaN skipped. */
  fusedChannelMinMax?(x: Float32Array, channels: number, inner: number, min: Float32Array, max: Float32Array): void;
  /** Inverted dropout with the counter-based mask of FUSED_KERNELS.dropout. */
  fusedDropout?(x: Float32Array, seed: number, rate: number, scale: number, out: Float32Array, mask: Float32Array): void;
  fusedAdamW?(param: Float32Array, grad: Float32Array, expAvg: Float32Array, expAvgSq: Float32Array, constants: Float32Array, outParam: Float32Array, outExpAvg: Float32Array, outExpAvgSq: Float32Array): void;
}

/** A training addon that has the fused kernels too. */
export type FusedTrainingAddon = TrainingAddon & Required<Pick<TrainingAddon, 'fusedSoftmaxXent' | 'fusedSoftmaxXentGrad' | 'fusedLayerNorm' | 'fusedLayerNormGrad' | 'fusedGelu' | 'fusedAdamW'>>;

/** Whether the addon was built with the fused kernels. */
export function hasFusedKernelFunctions(addon: TrainingAddon): addon is FusedTrainingAddon {
  return ['fusedSoftmaxXent', 'fusedSoftmaxXentGrad', 'fusedLayerNorm', 'fusedLayerNormGrad', 'fusedGelu', 'fusedAdamW'].every((name) => typeof (addon as unknown as Record<string, unknown>)[name] === 'function');
}

/** Whether a loaded addon was built with the training kernels (an older build lacks them). */
export function hasTrainingKernels(addon: NativeAddon): addon is TrainingAddon {
  const candidate = addon as Partial<TrainingAddon>;
  return typeof candidate.gemmStrided === 'function' && typeof candidate.binary === 'function' && typeof candidate.softmax === 'function' && typeof candidate.reduce === 'function';
}
