import { createRandom } from '../random';
import { tf } from '../tensor/tf';

/**
 * Values in (-1, 1) with pairwise distinct magnitudes (a shuffled ramp with random signs),
 * so that any magnitude ranking of them is unique.
 */
export function distinctMagnitudes(count: number, seed: number): Float32Array {
  const random = createRandom(seed);
  const ramp = random.shuffle(Array.from({ length: count }, (_, index) => (index + 1) / (count + 1)));
  return Float32Array.from(ramp, (value) => (random.next() < 0.5 ? -value : value));
}

/**
 * Values whose magnitude is constant inside each `block` of the last two axes and distinct
 * between blocks, so that any block norm (L1, L2, max) ranks the blocks the same way.
 */
export function blockConstantMagnitudes(shape: readonly number[], block: readonly [number, number], seed: number): Float32Array {
  const rows = shape[shape.length - 2];
  const columns = shape[shape.length - 1];
  const matrices = shape.slice(0, -2).reduce((product, size) => product * size, 1);
  const blocksPerMatrix = (rows / block[0]) * (columns / block[1]);
  const scores = distinctMagnitudes(matrices * blocksPerMatrix, seed).map(Math.abs);
  const random = createRandom(seed + 1);
  const values = new Float32Array(matrices * rows * columns);
  for (let index = 0; index < values.length; index++) {
    const matrix = Math.floor(index / (rows * columns));
    const row = Math.floor((index % (rows * columns)) / columns);
    const column = index % columns;
    const blockIndex = matrix * blocksPerMatrix + Math.floor(row / block[0]) * (columns / block[1]) + Math.floor(column / block[1]);
    values[index] = (random.next() < 0.5 ? -1 : 1) * scores[blockIndex];
  }
  return values;
}

/** A float32 tensor of `shape` holding `values`. */
export function tensorOf(values: Float32Array, shape: readonly number[]): tf.Tensor {
  return tf.tensor(values, [...shape], 'float32');
}

/**
 * Counts the tensors `action` leaves behind beyond the ones it returns (which it disposes).
 *
 * @example
 * ```ts
 * leakedTensors(() => tf.square(x)); // 0
 * ```
 */
export function leakedTensors(action: () => tf.Tensor | tf.Tensor[]): number {
  const before = tf.memory().numTensors;
  const result = action();
  const outputs = Array.isArray(result) ? result : [result];
  const after = tf.memory().numTensors;
  const returned = new Set(outputs.map((tensor) => tensor.id)).size;
  tf.dispose(outputs);
  return after - before - returned;
}
