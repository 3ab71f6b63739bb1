import { tf } from './tf';

/**
 * The kernel names of pofa's fused operations. A backend may register any of them with
 * `tf.registerKernel`; where the active backend has both halves of a pair (forward and
 * gradient), the ops in `@pofa/core` run them, and elsewhere they run as compositions of
 * standard tfjs ops with the same results. Contracts (all float32, contiguous, rows = every
 * dimension but the last):
 *
 * - `PofaSoftmaxCrossEntropy` inputs `{ logits [rows, classes], labels int32 [rows] }` →
 *   `[rowLoss [rows], logSumExp [rows]]`; `rowLoss = logSumExp − logits[label]`, 0 where the
 *   label is outside `[0, classes)`.
 * - `PofaSoftmaxCrossEntropyGrad` inputs `{ logits, labels, logSumExp, scale [rows] }` →
 *   `scale · (softmax(logits) − onehot(label))`, a zero row where the label is out of range.
 * - `PofaLayerNorm` inputs `{ x [..., size], gamma [size], beta [size] }`, attr `epsilon` →
 *   `[y, mean [rows], rstd [rows]]` with `rstd = 1 / √(variance + ε)`.
 * - `PofaLayerNormGrad` inputs `{ dy, x, gamma, mean, rstd }` → `[dx, dgamma, dbeta]`.
 * - `PofaGelu` inputs `{ x }` → exact (erf) GELU; `PofaGeluGrad` inputs `{ dy, x }` →
 *   `dy · (Φ(x) + x · φ(x))`.
 * - `PofaAdamW` inputs `{ param, grad, expAvg, expAvgSq }`, attrs `{ beta1, oneMinusBeta1,
 *   beta2, oneMinusBeta2, keep, biasCorrection2Sqrt, eps, stepSize, gradientScale }` (each
 *   already a float32 value) → `[param', expAvg', expAvgSq']`, computed in the order
 *   {@link createAdamW} uses, on the gradient `grad · gradientScale`.
 * - `PofaFakeQuantize` inputs `{ x, scale, inverseScale, zeroPoint }` (the last three of length
 *   `channels`), attrs `{ channels, inner, quantMin, quantMax }`: x is viewed as `[outer,
 *   channels, inner]`; `q = round_half_even(x · inverseScale) + zeroPoint` →
 *   `[(clamp(q, quantMin, quantMax) − zeroPoint) · scale, mask, outside [1]]`, mask 1 where
 *   `quantMin ≤ q ≤ quantMax`, else 0, and `outside` the number of zeros in the mask (see
 *   {@link fakeQuantizeAffine}).
 * - `PofaChannelMinMax` inputs `{ x }`, attrs `{ channels, inner }` → `[min [channels], max
 *   [channels]]` over x viewed as `[outer, channels, inner]`, NaN skipped (see {@link channelMinMax}).
 * - `PofaDropout` inputs `{ x }`, attrs `{ seed, rate, scale }` → `[x · mask, mask]`, mask
 *   `scale` where the element is kept, else 0; element i is kept where `(fmix32(i +
 *   fmix32(seed)) >>> 8) · 2⁻²⁴ ≥ rate` (murmur3's finaliser; see {@link invertedDropout}).
 *
 * @example
 * ```ts
 * tf.registerKernel({ kernelName: FUSED_KERNELS.gelu, backendName: 'my-backend', kernelFunc: myGelu });
 * ```
 */
export const FUSED_KERNELS = {
  softmaxCrossEntropy: 'PofaSoftmaxCrossEntropy',
  softmaxCrossEntropyGrad: 'PofaSoftmaxCrossEntropyGrad',
  layerNorm: 'PofaLayerNorm',
  layerNormGrad: 'PofaLayerNormGrad',
  gelu: 'PofaGelu',
  geluGrad: 'PofaGeluGrad',
  adamW: 'PofaAdamW',
  fakeQuantize: 'PofaFakeQuantize',
  channelMinMax: 'PofaChannelMinMax',
  dropout: 'PofaDropout',
} as const;

/** A name in {@link FUSED_KERNELS}. */
export type FusedKernelName = (typeof FUSED_KERNELS)[keyof typeof FUSED_KERNELS];

let disabled = false;

/**
 * Turns the fused kernels off (`false`) or back on, so that every fused op runs as its
 * composition of standard ops — for comparing the two paths. Returns the previous setting.
 *
 * @example
 * ```ts
 * const previous = setFusedKernelsEnabled(false);
 * try { compositeLoss = lossOf(model); } finally { setFusedKernelsEnabled(previous); }
 * ```
 */
export function setFusedKernelsEnabled(enabled: boolean): boolean {
  const previous = !disabled;
  disabled = !enabled;
  return previous;
}

/**
 * Whether the active backend runs all of `names` (and fused kernels are enabled).
 *
 * @example
 * ```ts
 * hasFusedKernels(FUSED_KERNELS.gelu, FUSED_KERNELS.geluGrad); // true on pofa-native
 * ```
 */
export function hasFusedKernels(...names: FusedKernelName[]): boolean {
  if (disabled) return false;
  const backend = tf.getBackend();
  return names.every((name) => tf.getKernel(name, backend) !== undefined);
}

/**
 * Runs a fused kernel on the active backend and returns its outputs as an array.
 *
 * @example
 * ```ts
 * const [y] = runFusedKernel(FUSED_KERNELS.gelu, { x });
 * ```
 */
export function runFusedKernel(name: FusedKernelName, inputs: Record<string, tf.Tensor>, attrs: Record<string, number> = {}): tf.Tensor[] {
  const out = tf.engine().runKernel(name, inputs as unknown as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as tf.Tensor | tf.Tensor[];
  return Array.isArray(out) ? out : [out];
}

/** What the body of a {@link customOp} returns: its value and the gradient for each input. */
export interface CustomOpResult {
  value: tf.Tensor;
  gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
}

/**
 * `tf.customGrad` with typed inputs: `body(inputs, save)` gets the tensors and tfjs's save
 * function (tensors saved there reach `gradFunc` and stay alive until the backward pass).
 *
 * @example
 * ```ts
 * const square = customOp(([x], save) => { save([x]); return { value: tf.square(x), gradFunc: (dy, [s]) => tf.mul(dy, tf.mul(s, 2)) }; });
 * ```
 */
export function customOp(body: (inputs: tf.Tensor[], save: tf.GradSaveFunc) => CustomOpResult): (...inputs: tf.Tensor[]) => tf.Tensor {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    return body(args.slice(0, -1) as tf.Tensor[], save);
  });
  return (...inputs) => op(...inputs);
}
