import { createRandom, type Random } from '../random';
import { tf } from '../tensor/tf';

/** How a layer initialises its weights: a seeded generator and a standard deviation. */
export interface InitOptions {
  /** Generator for the initial values (default: a fresh one seeded with 0). */
  random?: Random;
  /** Standard deviation of the normal initialisation (BERT's `initializer_range`, 0.02). */
  std?: number;
  /**
   * Start every weight at zero and draw nothing from `random`: for weights that are overwritten
   * right away (a checkpoint being loaded), where drawing BERT-Base's 110 M normal samples in JS
   * would take seconds.
   */
  zeros?: boolean;
}

/**
 * A tensor of normal(0, std) samples drawn in JS from `random`, so initial weights are the
 * same on every backend for a given seed (zeros, drawing nothing, with `zeros: true`).
 *
 * @example
 * ```ts
 * const w = initNormal([768, 768], { random: createRandom(1), std: 0.02 });
 * ```
 */
export function initNormal(shape: number[], options: InitOptions = {}): tf.Tensor {
  if (options.zeros === true) return tf.zeros(shape, 'float32');
  const random = options.random ?? createRandom(0);
  const std = options.std ?? 0.02;
  const values = new Float32Array(tf.util.sizeFromShape(shape));
  for (let i = 0; i < values.length; i++) values[i] = random.normal() * std;
  return tf.tensor(values, shape, 'float32');
}
