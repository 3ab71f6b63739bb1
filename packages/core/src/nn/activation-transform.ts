import type { tf } from '../tensor/tf';

/**
 * A step applied to a layer's input before the layer computes, such as the fake
 * quantization of activations in quantization-aware training. The counterpart, for
 * weights, of {@link WeightTransform}; runs inside the gradient tape.
 *
 * @example
 * ```ts
 * const clip: ActivationTransform = { kind: 'example/clip', apply: (x) => tf.clipByValue(x, -6, 6) };
 * linear.addInputTransform(clip);
 * ```
 */
export interface ActivationTransform {
  /** A namespaced name such as `quant/fake-quantize-input`. */
  readonly kind: string;
  /** Returns the transformed input; `training` tells observers whether to update. */
  apply(input: tf.Tensor, context: { training: boolean }): tf.Tensor;
  /** Releases the tensors the transform owns. */
  dispose?(): void;
}
