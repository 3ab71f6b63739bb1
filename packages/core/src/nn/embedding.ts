import { ShapeError } from '../errors/shape-error';
import { tf } from '../tensor/tf';
import { normalParameter, type InitOptions } from './init';
import { Module } from './module';
import { Parameter } from './parameter';

/**
 * A lookup table `[count, dim]`; `forward(ids)` returns `[...ids.shape, dim]`.
 *
 * @example
 * ```ts
 * const words = new Embedding(30522, 768);
 * const vectors = words.forward(tf.tensor2d([[101, 2023, 102]], undefined, 'int32'));
 * ```
 */
export class Embedding extends Module {
  readonly weight: Parameter;

  constructor(readonly count: number, readonly dim: number, options: InitOptions = {}) {
    super();
    this.weight = this.addParameter('weight', normalParameter([count, dim], options));
  }

  forward(ids: tf.Tensor): tf.Tensor {
    if (ids.dtype !== 'int32') {
      throw new ShapeError('Embedding ids must be int32', { expected: 'an int32 tensor', received: `dtype ${ids.dtype}` });
    }
    return tf.tidy(() => tf.reshape(tf.gather(this.weight.value(), tf.reshape(ids, [-1])), [...ids.shape, this.dim]));
  }
}
