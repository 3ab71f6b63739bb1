import { ShapeError } from '../errors/shape-error';
import { tf } from '../tensor/tf';
import type { WeightTransform } from './weight-transform';

/** The kind of the transform {@link createMaskTransform} makes. */
export const MASK_TRANSFORM_KIND = 'core/mask';

/** A mask transform: the weight times a fixed 0/1 tensor of its shape. */
export interface MaskTransform extends WeightTransform {
  readonly mask: tf.Tensor;
  /** Replaces the mask (the old one is disposed). */
  setMask(mask: tf.Tensor): void;
}

/**
 * Multiplies the weight by a 0/1 mask, so masked entries have zero effective weight and
 * zero gradient. Takes ownership of `mask`.
 *
 * @example
 * ```ts
 * parameter.addTransform(createMaskTransform(tf.tensor2d([[1, 0], [1, 1]])));
 * ```
 */
export function createMaskTransform(mask: tf.Tensor): MaskTransform {
  let current = tf.keep(tf.cast(mask, 'float32'));
  if (current !== mask) mask.dispose();
  const transform: MaskTransform = {
    kind: MASK_TRANSFORM_KIND,
    get mask() {
      return current;
    },
    apply(weight) {
      if (!tf.util.arraysEqual(weight.shape, current.shape)) {
        throw new ShapeError('Mask shape does not match the weight', {
          expected: `[${weight.shape.join(', ')}]`,
          received: `[${current.shape.join(', ')}]`,
        });
      }
      return tf.mul(weight, current);
    },
    setMask(next) {
      const kept = tf.keep(tf.cast(next, 'float32'));
      if (kept !== next) next.dispose();
      current.dispose();
      current = kept;
    },
    state: () => ({ mask: current }),
    loadState: (state) => {
      if (state.mask === undefined) throw new ShapeError('Mask transform state has no "mask" tensor');
      transform.setMask(tf.clone(state.mask));
    },
    dispose: () => current.dispose(),
  };
  return transform;
}
