import * as tf from '@tensorflow/tfjs-core';

/**
 * The one tfjs instance every pofa package uses. Import it from here, never from
 * `@tensorflow/tfjs-core` directly, so that all packages share one engine and one backend.
 *
 * @example
 * ```ts
 * import { tf, initBackend } from '@pofa/core';
 * await initBackend();
 * console.log(tf.square(tf.tensor([1, 2, 3])).arraySync());
 * ```
 */
export { tf };
export type Tensor = tf.Tensor;
export type Variable = tf.Variable;
