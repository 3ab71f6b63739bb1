import { ConfigError } from '../errors/config-error';
import type { tf } from '../tensor/tf';
import { invertedDropout } from './inverted-dropout';
import { Module, type ForwardContext } from './module';

/**
 * Inverted dropout with probability `rate`, active only in training ({@link invertedDropout}).
 * With `context.random` the mask is seeded, so runs repeat exactly, on every backend.
 *
 * @example
 * ```ts
 * const dropout = new Dropout(0.1);
 * const y = dropout.forward(x, { training: true, random: createRandom(0) });
 * ```
 */
export class Dropout extends Module {
  constructor(readonly rate: number) {
    super();
    if (!(rate >= 0 && rate < 1)) {
      throw new ConfigError('Invalid dropout rate', { expected: 'a rate in [0, 1)', received: String(rate) });
    }
  }

  forward(input: tf.Tensor, context: ForwardContext = {}): tf.Tensor {
    const training = context.training ?? this.training;
    if (!training || this.rate === 0) return input;
    return invertedDropout(input, this.rate, context.random?.seed());
  }
}
