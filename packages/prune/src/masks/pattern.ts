import { ConfigError, ShapeError } from '@pofa/core';
import { z } from 'zod';

/** Where zeros may fall: anywhere, in whole blocks, or N kept of every M along the input. */
export const sparsityPatternSchema = z.union([
  z.literal('unstructured'),
  z.object({ block: z.tuple([z.number().int().positive(), z.number().int().positive()]) }).strict(),
  z.object({ n: z.number().int().min(0), m: z.number().int().positive() }).strict(),
]);

export type SparsityPattern = z.infer<typeof sparsityPatternSchema>;

/**
 * Parses a pattern given as an object or as text: `'unstructured'`, `'4x1'` (a block of 4
 * consecutive output rows × 1 input column) or `'2:4'` (keep 2 of every 4 inputs).
 *
 * @example
 * ```ts
 * parsePattern('4x1'); // { block: [4, 1] }
 * parsePattern('2:4'); // { n: 2, m: 4 }
 * ```
 */
export function parsePattern(pattern: SparsityPattern | string = 'unstructured'): SparsityPattern {
  if (typeof pattern === 'string' && pattern !== 'unstructured') {
    const block = /^(\d+)x(\d+)$/.exec(pattern);
    if (block) return parsePattern({ block: [Number(block[1]), Number(block[2])] });
    const nm = /^(\d+):(\d+)$/.exec(pattern);
    if (nm) return parsePattern({ n: Number(nm[1]), m: Number(nm[2]) });
  }
  const parsed = sparsityPatternSchema.safeParse(pattern);
  if (!parsed.success) {
    throw new ConfigError('Unknown sparsity pattern', {
      expected: "'unstructured', a block such as '4x1' / { block: [4, 1] }, or N:M such as '2:4' / { n: 2, m: 4 }",
      received: JSON.stringify(pattern),
    });
  }
  const value = parsed.data;
  if (typeof value === 'object' && 'n' in value && value.n >= value.m) {
    throw new ConfigError('Invalid N:M pattern: N must be smaller than M', {
      expected: `N < M`,
      received: `${value.n}:${value.m}`,
      hint: 'N is how many weights each group of M keeps, e.g. 2:4 keeps 2 of every 4',
    });
  }
  return value;
}

/** Checks that a pattern fits a weight of this shape (`[out, in]` for blocks and N:M). */
export function checkPatternFits(pattern: SparsityPattern, shape: number[], name = 'weight'): void {
  if (pattern === 'unstructured') return;
  if (shape.length !== 2) {
    throw new ShapeError(`A structured pattern needs a 2-D [out, in] weight: "${name}"`, {
      expected: 'a 2-D weight',
      received: `shape [${shape.join(', ')}]`,
    });
  }
  const [rows, columns] = shape;
  if ('block' in pattern) {
    const [blockRows, blockColumns] = pattern.block;
    if (rows % blockRows !== 0 || columns % blockColumns !== 0) {
      throw new ShapeError(`Block ${blockRows}x${blockColumns} does not tile "${name}"`, {
        expected: `a weight whose rows divide by ${blockRows} and columns by ${blockColumns}`,
        received: `shape [${rows}, ${columns}]`,
        hint: 'Pick a block shape that divides the weight, or exclude this tensor from pruning',
      });
    }
  } else if (columns % pattern.m !== 0) {
    throw new ShapeError(`N:M groups of ${pattern.m} do not tile the input dimension of "${name}"`, {
      expected: `an input dimension divisible by ${pattern.m}`,
      received: `shape [${rows}, ${columns}]`,
    });
  }
}
