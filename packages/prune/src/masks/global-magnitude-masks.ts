import { ConfigError, tf } from '@pofa/core';
import { blockNorms, checkSparsity, expandBlocks } from './magnitude-mask';
import { checkPatternFits, parsePattern, type SparsityPattern } from './pattern';
import { keepLargest } from './select-smallest';

/**
 * Global magnitude pruning: one threshold over all the given tensors, so that exactly
 * `floor(sparsity × total)` elements (or blocks) are pruned across them, the smallest first;
 * single tensors may end up more or less sparse than the target. N:M has no global form.
 *
 * @example
 * ```ts
 * const masks = globalMagnitudeMasks({ a: weightA, b: weightB }, { sparsity: 0.9 });
 * ```
 */
export function globalMagnitudeMasks(
  weights: Record<string, tf.Tensor>,
  options: { sparsity: number; pattern?: SparsityPattern | string },
): Record<string, tf.Tensor> {
  checkSparsity(options.sparsity);
  const pattern = parsePattern(options.pattern);
  if (typeof pattern === 'object' && 'n' in pattern) {
    throw new ConfigError('N:M pruning has no global form', {
      expected: "'unstructured' or a block pattern with global scope",
      received: `${pattern.n}:${pattern.m}`,
      hint: 'Use layer-wise scope for N:M patterns: every group keeps N of M by construction',
    });
  }
  const names = Object.keys(weights);
  const scores: Float64Array[] = names.map((name) => {
    const weight = weights[name];
    checkPatternFits(pattern, weight.shape, name);
    const values = weight.dataSync() as Float32Array;
    if (pattern === 'unstructured') return Float64Array.from(values, Math.abs);
    return blockNorms(values, weight.shape, pattern.block[0], pattern.block[1]);
  });
  const total = scores.reduce((sum, part) => sum + part.length, 0);
  const all = new Float64Array(total);
  let offset = 0;
  for (const part of scores) {
    all.set(part, offset);
    offset += part.length;
  }
  const keep = keepLargest(all, Math.floor(options.sparsity * total));
  const masks: Record<string, tf.Tensor> = {};
  offset = 0;
  names.forEach((name, index) => {
    const shape = weights[name].shape;
    const part = keep.subarray(offset, offset + scores[index].length);
    offset += scores[index].length;
    const values = pattern === 'unstructured' ? Float32Array.from(part) : expandBlocks(part, shape, pattern.block[0], pattern.block[1]);
    masks[name] = tf.tensor(values, shape, 'float32');
  });
  return masks;
}
