import { ConfigError } from '../errors/config-error';
import { ShapeError } from '../errors/shape-error';
import { tf } from '../tensor/tf';
import type { WeightTransform } from './weight-transform';

/** Options of a {@link Parameter}. */
export interface ParameterOptions {
  /** Whether the optimizer updates it (default true). */
  trainable?: boolean;
  /** Whether weight decay applies to it (default true; biases and LayerNorm set false). */
  decay?: boolean;
}

let parameterCount = 0;

/**
 * A trainable tensor: a raw `tf.Variable` plus an ordered list of {@link WeightTransform}s
 * that produce the effective weight. Layers read {@link Parameter.value} in their forward
 * pass; the optimizer updates {@link Parameter.variable}.
 *
 * @example
 * ```ts
 * const weight = new Parameter(tf.ones([2, 2]));
 * weight.addTransform(createMaskTransform(tf.tensor2d([[1, 0], [0, 1]])));
 * console.log(weight.value().arraySync()); // [[1, 0], [0, 1]]
 * weight.squash();        // the raw variable now holds the masked weight
 * ```
 */
export class Parameter {
  readonly variable: tf.Variable;
  trainable: boolean;
  decay: boolean;
  private readonly chain: WeightTransform[] = [];

  /** Takes ownership of `initial` (it is disposed once copied into the variable). */
  constructor(initial: tf.Tensor, options: ParameterOptions = {}) {
    this.trainable = options.trainable ?? true;
    this.decay = options.decay ?? true;
    this.variable = tf.variable(initial, this.trainable, `pofa_p${parameterCount++}`);
    initial.dispose();
  }

  get shape(): number[] {
    return this.variable.shape;
  }

  get size(): number {
    return this.variable.size;
  }

  /** The transforms, in the order they apply. */
  get transforms(): readonly WeightTransform[] {
    return this.chain;
  }

  /**
   * The effective weight: the raw variable passed through every transform. With no
   * transform this is the variable itself (do not dispose it); otherwise a new tensor, so
   * call it inside `tf.tidy` or a loss function.
   */
  value(): tf.Tensor {
    let weight: tf.Tensor = this.variable;
    for (const transform of this.chain) weight = transform.apply(weight);
    return weight;
  }

  /** Appends a transform (or inserts it at `index`). */
  addTransform(transform: WeightTransform, index = this.chain.length): this {
    if (index < 0 || index > this.chain.length) {
      throw new ConfigError('Transform index out of range', {
        expected: `an index in [0, ${this.chain.length}]`,
        received: String(index),
      });
    }
    this.chain.splice(index, 0, transform);
    return this;
  }

  /** The first transform of this kind, if any. */
  findTransform(kind: string): WeightTransform | undefined {
    return this.chain.find((transform) => transform.kind === kind);
  }

  /**
   * Removes a transform (the object, or the first of a kind) and returns it without
   * disposing it; returns undefined if absent.
   */
  removeTransform(transformOrKind: WeightTransform | string): WeightTransform | undefined {
    const index =
      typeof transformOrKind === 'string'
        ? this.chain.findIndex((transform) => transform.kind === transformOrKind)
        : this.chain.indexOf(transformOrKind);
    if (index < 0) return undefined;
    return this.chain.splice(index, 1)[0];
  }

  /** Bakes every transform into the raw variable, then disposes and drops the transforms. */
  squash(): this {
    if (this.chain.length === 0) return this;
    const effective = tf.tidy(() => this.value());
    this.variable.assign(effective);
    effective.dispose();
    for (const transform of this.chain.splice(0)) transform.dispose?.();
    return this;
  }

  /** Copies `value` into the raw variable (same shape required; dtype is cast). */
  assign(value: tf.Tensor): void {
    if (!tf.util.arraysEqual(value.shape, this.shape)) {
      throw new ShapeError('Cannot assign a tensor of another shape to a parameter', {
        expected: `shape [${this.shape.join(', ')}]`,
        received: `shape [${value.shape.join(', ')}]`,
      });
    }
    if (value.dtype === this.variable.dtype) this.variable.assign(value);
    else tf.tidy(() => this.variable.assign(tf.cast(value, this.variable.dtype)));
  }

  dispose(): void {
    for (const transform of this.chain.splice(0)) transform.dispose?.();
    this.variable.dispose();
  }
}
