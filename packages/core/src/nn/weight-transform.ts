import type { tf } from '../tensor/tf';

/**
 * One step in the chain that turns a parameter's raw variable into its effective weight.
 * Pruning adds a mask, QAT a fake-quantizer; each knows nothing of the others, and the
 * order they were added in is the order they apply in. `apply` runs inside the gradient
 * tape, so gradients reach the raw variable through every transform.
 *
 * @example
 * ```ts
 * const halve: WeightTransform = { kind: 'example/halve', apply: (w) => tf.mul(w, 0.5) };
 * parameter.addTransform(halve);
 * ```
 */
export interface WeightTransform {
  /** A namespaced name such as `core/mask` or `quant/fake-quantize`. */
  readonly kind: string;
  /** Returns the transformed weight; called inside `tf.tidy` and the gradient tape. */
  apply(weight: tf.Tensor): tf.Tensor;
  /** Tensors a checkpoint must keep to rebuild this transform (a mask, observer ranges). */
  state?(): Record<string, tf.Tensor>;
  /** Restores what {@link WeightTransform.state} returned. */
  loadState?(state: Record<string, tf.Tensor>): void;
  /** Releases the tensors the transform owns. */
  dispose?(): void;
}
