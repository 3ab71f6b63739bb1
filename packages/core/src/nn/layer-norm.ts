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
    return tf.tidy(() => {
      const mean = tf.mean(input, -1, true);
      const centered = tf.sub(input, mean);
      const variance = tf.mean(tf.square(centered), -1, true);
      const normalized = tf.mul(centered, tf.rsqrt(tf.add(variance, this.eps)));
      return tf.add(tf.mul(normalized, this.weight.value()), this.bias.value());
    });
  }
}
