import type { PackedWeight } from '../formats/packed-weight';

/** The instruction set a {@link Kernels} implementation runs on. */
export type KernelIsa = 'avx512-vnni' | 'avx2' | 'scalar' | 'portable';

/**
 * Fixed uint8 quantization of activations (from calibration): `q = clamp(roundHalfEven(x ·
 * fround(1 / scale)) + zeroPoint, 0, 255)`.
 */
export interface ActivationQuantization {
  scale: number;
  /** An integer in [0, 255]. */
  zeroPoint: number;
}

/** Options of {@link Kernels.linear}. */
export interface LinearOptions {
  /** Apply the exact (erf) GELU to the result, fused. */
  gelu?: boolean;
  /**
   * For int8 weights: calibrated uint8 quantization of the input. Absent: dynamic, per token
   * (row of the input), asymmetric over `[min(x, 0), max(x, 0)]` with `scale = (max − min) / 255`
   * (1 when the row is all zeros) and `zeroPoint = clamp(roundHalfEven(−min / scale), 0, 255)`.
   * Ignored for fp32 weights.
   */
  activation?: ActivationQuantization;
  /** Where to write the `[tokens, rows]` result (not overlapping the input); default: a new array. */
  out?: Float32Array;
}

/** Options of {@link Kernels.feedForward}. */
export interface FeedForwardOptions {
  /** Apply the exact (erf) GELU to the intermediate. */
  gelu?: boolean;
  /** Calibrated input quantization of the first and the second Linear (int8 weights), as in {@link LinearOptions.activation}. */
  activations?: [ActivationQuantization | undefined, ActivationQuantization | undefined];
  /** Where to write the `[tokens, second.rows]` result (not overlapping the input); default: a new array. */
  out?: Float32Array;
}

/** Shapes of {@link Kernels.attention}. */
export interface AttentionOptions {
  batch: number;
  seq: number;
  heads: number;
  headDim: number;
  /** `[batch, seq]`, 1 = attend to this key, 0 = padding (a row with no key attends uniformly). */
  mask?: Float32Array;
  /**
   * Distance between consecutive tokens' rows in q, k and v (default `heads·headDim`): e.g.
   * `3·heads·headDim` when they are views into one fused query/key/value projection.
   */
  stride?: number;
  /** Where to write the `[batch, seq, heads·headDim]` result (not overlapping q, k, v); default: a new array. */
  out?: Float32Array;
}

/**
 * The compute kernels of a compressed encoder. All matrices are row-major `Float32Array`s;
 * functions allocate `out` when it is not given and return it.
 *
 * @example
 * ```ts
 * const kernels = loadKernels();
 * const hidden = kernels.linear(input, tokens, packWeight(weight, 3072, 768, { format: 'block' }), bias, { gelu: true });
 * ```
 */
export interface Kernels {
  /** `'native'` or `'portable'`. */
  readonly name: string;
  readonly isa: KernelIsa;
  /** Worker threads the kernels split work over. */
  readonly threads: number;
  /** Sets the thread count (at least 1); results do not depend on it. */
  setThreads(threads: number): void;
  /** `out[m, n] = a[m, k] · bTransposed[n, k]ᵀ + bias[n]` (dense fp32 GEMM). */
  gemm(a: Float32Array, m: number, k: number, bTransposed: Float32Array, n: number, bias?: Float32Array, out?: Float32Array): Float32Array;
  /**
   * `out[tokens, rows] = input[tokens, cols] · weightᵀ + bias`, for a weight of any format and
   * dtype; int8 weights quantize the input to uint8 and accumulate in int32.
   */
  linear(input: Float32Array, tokens: number, weight: PackedWeight, bias?: Float32Array, options?: LinearOptions): Float32Array;
  /**
   * Optional: `second(gelu?(first(input)))`, the two Linears of a feed-forward block, equal to two
   * {@link Kernels.linear} calls. The native kernels pass the intermediate between them in their
   * internal tiled layout instead of writing and re-reading it token by token.
   */
  feedForward?(
    input: Float32Array,
    tokens: number,
    first: PackedWeight,
    firstBias: Float32Array | undefined,
    second: PackedWeight,
    secondBias: Float32Array | undefined,
    options?: FeedForwardOptions,
  ): Float32Array;
  /** Normalizes each of `rows` rows of `cols` values: `(x − mean) / √(var + eps) · gamma + beta`. */
  layerNorm(x: Float32Array, rows: number, cols: number, gamma: Float32Array, beta: Float32Array, eps: number, out?: Float32Array): Float32Array;
  /** The exact GELU `x · Φ(x)`, in place. */
  gelu(x: Float32Array): Float32Array;
  /** `a += b`, in place (the residual add). */
  addInPlace(a: Float32Array, b: Float32Array): Float32Array;
  /**
   * Multi-head scaled dot-product attention, `softmax(q·kᵀ / √headDim + mask) · v` per head, with
   * q, k, v and the result `[batch, seq, heads·headDim]` (q, k, v rows `stride` apart if given).
   */
  attention(q: Float32Array, k: Float32Array, v: Float32Array, options: AttentionOptions): Float32Array;
}
