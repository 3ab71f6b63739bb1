import { ShapeError } from '../errors/shape-error';
import { tf } from '../tensor/tf';
import { initNormal, type InitOptions } from './init';
import { Module } from './module';
import { Parameter } from './parameter';

/** Options of a {@link Linear} layer. */
export interface LinearOptions extends InitOptions {
  /** Whether it has a bias (default true). */
  bias?: boolean;
}

/**
 * y = x · Wᵀ + b with `weight` stored `[out, in]`, as in PyTorch and Hugging Face
 * checkpoints. Accepts any leading dimensions.
 *
 * @example
 * ```ts
 * const layer = new Linear(768, 3072);
 * const y = layer.forward(tf.zeros([2, 128, 768])); // [2, 128, 3072]
 * ```
 */
export class Linear extends Module {
  readonly weight: Parameter;
  readonly bias?: Parameter;

  constructor(readonly inFeatures: number, readonly outFeatures: number, options: LinearOptions = {}) {
    super();
    this.weight = this.addParameter('weight', new Parameter(initNormal([outFeatures, inFeatures], options)));
    if (options.bias ?? true) this.bias = this.addParameter('bias', new Parameter(tf.zeros([outFeatures]), { decay: false }));
  }

  forward(input: tf.Tensor): tf.Tensor {
    const last = input.shape[input.rank - 1];
    if (last !== this.inFeatures) {
      throw new ShapeError('Linear input has the wrong last dimension', {
        expected: String(this.inFeatures),
        received: `shape [${input.shape.join(', ')}]`,
      });
    }
    return tf.tidy(() => {
      const flat = tf.reshape(input, [-1, this.inFeatures]);
      let out = tf.matMul(flat, this.weight.value(), false, true);
      if (this.bias !== undefined) out = tf.add(out, this.bias.value());
      return tf.reshape(out, [...input.shape.slice(0, -1), this.outFeatures]);
    });
  }
}
