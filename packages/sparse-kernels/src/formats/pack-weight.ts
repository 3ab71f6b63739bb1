import { ConfigError, ShapeError, describeValue } from '@pofa/core';
import { z } from 'zod';
import { packBitmask } from './bitmask-format';
import { packBlock } from './block-format';
import { packCsr } from './csr-format';
import { packNm } from './nm-format';
import { PACKED_FORMATS, type PackedWeight } from './packed-weight';

/** Options of {@link packWeight}. */
export const PackWeightOptionsSchema = z
  .object({
    /** The format to pack into. */
    format: z.enum(PACKED_FORMATS),
    /** Tile shape of the `'block'` format: `[output rows, input columns]`; default `[4, 1]`. */
    block: z.tuple([z.number().int().positive(), z.number().int().positive()]).default([4, 1]),
    /** Kept elements per group of the `'nm'` format; default 2. */
    n: z.number().int().min(0).default(2),
    /** Group width of the `'nm'` format, at most 255; default 4. */
    m: z.number().int().positive().max(255).default(4),
    /** Which elements to keep (nonzero = kept), `[rows, cols]`; default: the nonzero ones. */
    mask: z
      .custom<Float32Array | Uint8Array>((value) => value instanceof Float32Array || value instanceof Uint8Array, 'a Float32Array or Uint8Array')
      .optional(),
  })
  .strict()
  .refine((options) => options.n <= options.m, { message: 'n must not exceed m', path: ['n'] });

export type PackWeightOptions = z.input<typeof PackWeightOptionsSchema>;

/**
 * Packs a dense row-major `[rows, cols]` (= `[out, in]`) fp32 weight into a compressed format.
 * An element is kept where `mask` is nonzero (or, without a mask, where the weight is nonzero);
 * {@link unpackWeight} gives back exactly the weight times the mask. `'dense'` stores a copy.
 *
 * @example
 * ```ts
 * const dense = new Float32Array([0, 1.5, 0, 0, -2, 0, 0, 0]);
 * const packed = packWeight(dense, 2, 4, { format: 'csr' });
 * unpackWeight(packed); // Float32Array [0, 1.5, 0, 0, -2, 0, 0, 0]
 * ```
 */
export function packWeight(dense: Float32Array, rows: number, cols: number, options: PackWeightOptions): PackedWeight {
  const parsed = PackWeightOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new ConfigError('Invalid packWeight options', {
      expected: "{ format: 'dense' | 'csr' | 'block' | 'nm' | 'bitmask', block?: [r, c], n?, m?, mask? }",
      received: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`).join('; '),
      hint: 'Fix the options listed above',
    });
  }
  const { format, block, n, m, mask } = parsed.data;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0 || dense.length !== rows * cols) {
    throw new ShapeError('The dense weight does not have the given shape', {
      expected: `a Float32Array of rows × cols = ${rows} × ${cols} = ${rows * cols} values`,
      received: `${dense.length} values`,
      hint: 'Pass the [out, in] weight row-major with its shape',
    });
  }
  if (mask !== undefined && mask.length !== dense.length) {
    throw new ShapeError('The mask does not have the weight shape', {
      expected: `${dense.length} values`,
      received: describeValue(mask.length),
      hint: 'Pass a mask of the same [out, in] shape as the weight',
    });
  }
  const keep = new Uint8Array(dense.length);
  for (let i = 0; i < dense.length; i++) keep[i] = (mask === undefined ? dense[i] : mask[i]) !== 0 ? 1 : 0;
  switch (format) {
    case 'dense': {
      const values = new Float32Array(dense.length);
      for (let i = 0; i < dense.length; i++) values[i] = keep[i] ? dense[i] : 0;
      return { format: 'dense', rows, cols, dtype: 'float32', values };
    }
    case 'csr':
      return packCsr(dense, rows, cols, keep);
    case 'block':
      return packBlock(dense, rows, cols, keep, block);
    case 'nm':
      return packNm(dense, rows, cols, keep, n, m);
    case 'bitmask':
      return packBitmask(dense, rows, cols, keep);
  }
}
