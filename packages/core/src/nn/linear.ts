import { ShapeError } from '../errors/shape-error';
import { tf } from '../tensor/tf';
import { normalParameter, type InitOptions } from './init';
import type { ActivationTransform } from './activation-transform';
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
  private readonly inputChain: ActivationTransform[] = [];

  constructor(readonly inFeatures: number, readonly outFeatures: number, options: LinearOptions = {}) {
    super();
    this.weight = this.addParameter('weight', normalParameter([outFeatures, inFeatures], options));
    if (options.bias ?? true) this.bias = this.addParameter('bias', new Parameter(tf.zeros([outFeatures]), { decay: false }));
  }

  /** The transforms applied to the input before the product, in order. */
  get inputTransforms(): readonly ActivationTransform[] {
    return this.inputChain;
  }

  /** Appends a transform of the input (fake quantization of activations, for one). */
  addInputTransform(transform: ActivationTransform): this {
    this.inputChain.push(transform);
    return this;
  }

  /** Removes an input transform (the object, or the first of a kind); returns it undisposed. */
  removeInputTransform(transformOrKind: ActivationTransform | string): ActivationTransform | undefined {
    const index =
      typeof transformOrKind === 'string'
        ? this.inputChain.findIndex((transform) => transform.kind === transformOrKind)
        : this.inputChain.indexOf(transformOrKind);
    return index < 0 ? undefined : this.inputChain.splice(index, 1)[0];
  }

  override dispose(): void {
    for (const transform of this.inputChain.splice(0)) transform.dispose?.();
    super.dispose();
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
      let transformed = input;
      for (const transform of this.inputChain) transformed = transform.apply(transformed, { training: this.training });
      const flat = tf.reshape(transformed, [-1, this.inFeatures]);
      let out = tf.matMul(flat, this.weight.value(), false, true);
      if (this.bias !== undefined) out = tf.add(out, this.bias.value());
      return tf.reshape(out, [...input.shape.slice(0, -1), this.outFeatures]);
    });
  }
}
