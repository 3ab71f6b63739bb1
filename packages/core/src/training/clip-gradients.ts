import { tf } from '../tensor/tf';

/**
 * What {@link clipGradientsByGlobalNorm} returns.
 *
 * @example
 * ```ts
 * const { gradients, norm }: ClippedGradients = clipGradientsByGlobalNorm(grads, 1);
 * ```
 */
export interface ClippedGradients {
  /** New tensors (the caller disposes them, and still owns the input ones). */
  gradients: Record<string, tf.Tensor>;
  /** The global L2 norm before clipping; NaN or Infinity when a gradient is not finite. */
  norm: number;
}

/**
 * Scales every gradient by `min(1, maxNorm / (norm + 1e-6))`, where `norm` is the L2 norm
 * of all gradients taken together, as `torch.nn.utils.clip_grad_norm_` does. With
 * `maxNorm` Infinity (or undefined) it only measures the norm.
 *
 * @example
 * ```ts
 * const { gradients, norm } = clipGradientsByGlobalNorm(grads, 1.0);
 * ```
 */
export function clipGradientsByGlobalNorm(gradients: Record<string, tf.Tensor>, maxNorm = Number.POSITIVE_INFINITY): ClippedGradients {
  const { norm, scale } = globalNormClipScale(gradients, maxNorm);
  const out: Record<string, tf.Tensor> = {};
  for (const [name, gradient] of Object.entries(gradients)) out[name] = scale !== 1 ? tf.mul(gradient, scale) : tf.clone(gradient);
  return { gradients: out, norm };
}

/**
 * The global L2 norm of `gradients` and the factor clipping to `maxNorm` applies to every one of
 * them, `min(1, maxNorm / (norm + 1e-6))` (1 when the norm is not finite), without scaling them:
 * the optimizer takes the factor (`AdamW.step`'s `gradientScale`) and no scaled copy is made.
 *
 * @example
 * ```ts
 * const { norm, scale } = globalNormClipScale(grads, 1);
 * optimizer.step(parameters, grads, lr, scale);
 * ```
 */
export function globalNormClipScale(gradients: Record<string, tf.Tensor>, maxNorm = Number.POSITIVE_INFINITY): { norm: number; scale: number } {
  const entries = Object.values(gradients);
  const norm = entries.length === 0 ? 0 : tf.tidy(() => Math.sqrt(tf.addN(entries.map((gradient) => tf.sum(tf.square(gradient)))).dataSync()[0]));
  const coefficient = maxNorm / (norm + 1e-6);
  return { norm, scale: Number.isFinite(norm) && coefficient < 1 ? coefficient : 1 };
}
