import { customOp, FUSED_KERNELS, hasFusedKernels, runFusedKernel } from '../tensor/fused-kernels';
import { tf } from '../tensor/tf';
import { Module } from './module';
import { Parameter } from './parameter';

/**
 * Layer normalisation over the last dimension, with `weight` (γ) and `bias` (β) named as in
 * PyTorch.
 *
 * @example
 * ```ts
 * const norm = new LayerNorm(768, 1e-12);
 * const y = norm.forward(x);
 * ```
 */
export class LayerNorm extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter;

  constructor(readonly size: number, readonly eps = 1e-12) {
    super();
    this.weight = this.addParameter('weight', new Parameter(tf.ones([size]), { decay: false }));
    this.bias = this.addParameter('bias', new Parameter(tf.zeros([size]), { decay: false }));
  }

  forward(input: tf.Tensor): tf.Tensor {
    return tf.tidy(() => layerNorm(input, this.weight.value(), this.bias.value(), this.eps));
  }
}

/** The gradient of layer normalisation from standard ops; `mean` and `rstd` keep a last axis of 1. */
function compositeGradient(dy: tf.Tensor, x: tf.Tensor, gamma: tf.Tensor, mean: tf.Tensor, rstd: tf.Tensor): tf.Tensor[] {
  const normalized = tf.mul(tf.sub(x, mean), rstd);
  const scaled = tf.mul(dy, gamma);
  const dx = tf.mul(rstd, tf.sub(tf.sub(scaled, tf.mean(scaled, -1, true)), tf.mul(normalized, tf.mean(tf.mul(scaled, normalized), -1, true))));
  const size = x.shape[x.rank - 1];
  const dgamma = tf.sum(tf.reshape(tf.mul(dy, normalized), [-1, size]), 0);
  const dbeta = tf.sum(tf.reshape(dy, [-1, size]), 0);
  return [dx, dgamma, dbeta];
}

/**
 * Layer normalisation of `x` over its last dimension: `(x − mean) / √(variance + ε) · γ + β`
 * (biased variance, as PyTorch). One pass forward and one backward on a backend with the
 * `PofaLayerNorm` kernels (pofa-native); standard ops elsewhere.
 *
 * @example
 * ```ts
 * const y = layerNorm(x, tf.ones([768]), tf.zeros([768]), 1e-12);
 * ```
 */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  const fused = x.dtype === 'float32' && gamma.dtype === 'float32' && beta.dtype === 'float32' && hasFusedKernels(FUSED_KERNELS.layerNorm, FUSED_KERNELS.layerNormGrad);
  const op = customOp(([input, weight, bias], save) => {
    let y: tf.Tensor;
    let mean: tf.Tensor;
    let rstd: tf.Tensor;
    if (fused) {
      [y, mean, rstd] = runFusedKernel(FUSED_KERNELS.layerNorm, { x: input, gamma: weight, beta: bias }, { epsilon: eps });
    } else {
      mean = tf.mean(input, -1, true);
      const centered = tf.sub(input, mean);
      rstd = tf.rsqrt(tf.add(tf.mean(tf.square(centered), -1, true), eps));
      y = tf.add(tf.mul(tf.mul(centered, rstd), weight), bias);
    }
    save([input, weight, mean, rstd]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedX, savedGamma, savedMean, savedRstd] = saved;
        if (!fused) return compositeGradient(dy, savedX, savedGamma, savedMean, savedRstd);
        return runFusedKernel(FUSED_KERNELS.layerNormGrad, { dy, x: savedX, gamma: savedGamma, mean: savedMean, rstd: savedRstd });
      },
    };
  });
  return tf.tidy(() => op(x, gamma, beta));
}
