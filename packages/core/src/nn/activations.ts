import { customOp, FUSED_KERNELS, hasFusedKernels, runFusedKernel } from '../tensor/fused-kernels';
import { tf } from '../tensor/tf';

/**
 * GELU, exact form x · Φ(x) = 0.5 · x · (1 + erf(x / √2)) (Hugging Face `gelu`).
 *
 * @example
 * ```ts
 * gelu(tf.tensor([0, 1])); // // [0, 0.8413]
 * ```
 */
export function gelu(x: tf.Tensor): tf.Tensor {
  const fused = x.dtype === 'float32' && hasFusedKernels(FUSED_KERNELS.gelu, FUSED_KERNELS.geluGrad);
  const op = customOp(([input], save) => {
    save([input]);
    return {
      value: fused ? runFusedKernel(FUSED_KERNELS.gelu, { x: input })[0] : tf.mul(tf.mul(input, tf.add(tf.erf(tf.mul(input, Math.SQRT1_2)), 1)), 0.5),
      gradFunc: (dy: tf.Tensor, [saved]: tf.Tensor[]) => {
        if (fused) return runFusedKernel(FUSED_KERNELS.geluGrad, { dy, x: saved })[0];
        // d/dx x·Φ(x) = Φ(x) + x·φ(x)
        const cdf = tf.mul(tf.add(tf.erf(tf.mul(saved, Math.SQRT1_2)), 1), 0.5);
        const pdf = tf.mul(tf.exp(tf.mul(tf.square(saved), -0.5)), 1 / Math.sqrt(2 * Math.PI));
        return tf.mul(dy, tf.add(cdf, tf.mul(saved, pdf)));
      },
    };
  });
  return tf.tidy(() => op(x));
}

/** GELU, tanh approximation (Hugging Face `gelu_new`, Google's original BERT code). */
export function geluTanh(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const inner = tf.mul(tf.add(x, tf.mul(tf.mul(tf.mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
    return tf.mul(tf.mul(x, tf.add(tf.tanh(inner), 1)), 0.5);
  });
}

/** Activation names accepted in configs, mapped to their functions. */
export const ACTIVATIONS = {
  gelu,
  gelu_new: geluTanh,
  gelu_pytorch_tanh: geluTanh,
  relu: (x: tf.Tensor) => tf.relu(x),
  tanh: (x: tf.Tensor) => tf.tanh(x),
} as const satisfies Record<string, (x: tf.Tensor) => tf.Tensor>;

export type ActivationName = keyof typeof ACTIVATIONS;
