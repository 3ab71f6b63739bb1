import { z } from 'zod';
import type { MaskGranularity, PruningMethod } from '../../registry/specs/pruning-method';
import { tf } from '../../tensor/tf';

/** Toy pruning methods for the conformance-suite tests: correct ones, and broken variants. */
export const sparsitySchema = z.object({ sparsity: z.number().min(0).lt(1) });
type Options = z.output<typeof sparsitySchema>;

/** Prunes the `count` units of lowest score: `scores[unit]`, units given per element. */
function pruneLowest(weight: tf.Tensor, unitOfElement: (index: number) => number, units: number, zeros: number, largest = false): tf.Tensor {
  const values = weight.dataSync();
  const scores = new Float64Array(units);
  values.forEach((value, index) => (scores[unitOfElement(index)] += value * value));
  const order = Array.from(scores.keys()).sort((left, right) => (largest ? scores[right] - scores[left] : scores[left] - scores[right]));
  const pruned = new Set(order.slice(0, zeros));
  const mask = Float32Array.from(values, (_, index) => (pruned.has(unitOfElement(index)) ? 0 : 1));
  return tf.tensor(mask, weight.shape, 'float32');
}

function elementMethod(name: string, compute: (weight: tf.Tensor, options: Options) => tf.Tensor): PruningMethod<Options> {
  return { specificationVersion: 'v1', name, optionsSchema: sparsitySchema, granularity: { type: 'element' }, computeMask: compute };
}

/** Correct: unstructured magnitude pruning. */
export const magnitude = elementMethod('toy/magnitude', (weight, { sparsity }) =>
  pruneLowest(weight, (index) => index, weight.size, Math.floor(sparsity * weight.size)),
);

/** Correct: 4x1 blocks of a 2-D weight, scored by their L2 norm. */
export const block4x1: PruningMethod<Options> = {
  specificationVersion: 'v1',
  name: 'toy/block-4x1',
  optionsSchema: sparsitySchema,
  granularity: { type: 'block', shape: [4, 1] },
  computeMask(weight, { sparsity }) {
    const [rows, columns] = weight.shape;
    const blocks = (rows / 4) * columns;
    const unit = (index: number): number => Math.floor(Math.floor(index / columns) / 4) * columns + (index % columns);
    return pruneLowest(weight, unit, blocks, Math.floor(sparsity * blocks));
  },
};

/** Correct: 2:4 along the last axis, keeping the two largest of each group. */
export const twoOfFour: PruningMethod<Record<string, never>> = {
  specificationVersion: 'v1',
  name: 'toy/two-of-four',
  optionsSchema: z.object({}).strict() as z.ZodType<Record<string, never>, z.ZodTypeDef, unknown>,
  granularity: { type: 'n-of-m', kept: 2, group: 4 },
  computeMask(weight) {
    const values = weight.dataSync();
    const mask = new Float32Array(values.length);
    for (let start = 0; start < values.length; start += 4) {
      const group = [0, 1, 2, 3].sort((left, right) => Math.abs(values[start + right]) - Math.abs(values[start + left]));
      mask[start + group[0]] = 1;
      mask[start + group[1]] = 1;
    }
    return tf.tensor(mask, weight.shape, 'float32');
  },
};

/** Broken variants of {@link magnitude}, each breaking one rule. */
export const broken = {
  flatMask: elementMethod('toy/flat-mask', (weight, options) => tf.tidy(() => tf.reshape(magnitude.computeMask(weight, options), [-1]))),
  softMask: elementMethod('toy/soft-mask', (weight, options) => tf.tidy(() => tf.mul(magnitude.computeMask(weight, options), 0.9))),
  integerMask: elementMethod('toy/integer-mask', (weight, options) => tf.tidy(() => tf.cast(magnitude.computeMask(weight, options), 'int32'))),
  roundsUp: elementMethod('toy/rounds-up', (weight, { sparsity }) => pruneLowest(weight, (index) => index, weight.size, Math.ceil(sparsity * weight.size))),
  keepsSmallest: elementMethod('toy/keeps-smallest', (weight, { sparsity }) =>
    pruneLowest(weight, (index) => index, weight.size, Math.floor(sparsity * weight.size), true),
  ),
  random: elementMethod('toy/random', (weight, { sparsity }) => {
    const zeros = Math.floor(sparsity * weight.size);
    const order = Array.from({ length: weight.size }, (_, index) => index).sort(() => Math.random() - 0.5);
    const pruned = new Set(order.slice(0, zeros));
    return tf.tensor(Float32Array.from({ length: weight.size }, (_, index) => (pruned.has(index) ? 0 : 1)), weight.shape, 'float32');
  }),
  leaky: elementMethod('toy/leaky', (weight, options) => {
    tf.abs(weight); // never disposed
    return magnitude.computeMask(weight, options);
  }),
  disposesWeight: elementMethod('toy/disposes-weight', (weight, options) => {
    const mask = magnitude.computeMask(weight, options);
    weight.dispose();
    return mask;
  }),
  permissiveSchema: { ...magnitude, name: 'toy/permissive', optionsSchema: z.object({ sparsity: z.number() }) } as PruningMethod<Options>,
  partialBlocks: { ...magnitude, name: 'toy/partial-blocks', granularity: { type: 'block', shape: [4, 1] } as MaskGranularity },
  wrongVersion: { ...magnitude, specificationVersion: 'v2' } as unknown as PruningMethod<Options>,
};
