import { ConfigError, ShapeError } from '@pofa/core';
import { z } from 'zod';
import type { PackedWeight } from './packed-weight';
import { roundHalfEven } from '@pofa/core';
import { storedRows } from './stored-rows';

/** Options of {@link quantizeWeightInt8}. */
export const QuantizeWeightOptionsSchema = z
  .object({
    /** Per-output-row scales to use (e.g. from a QAT export); default: `max |w| / 127` per row. */
    scales: z.custom<Float32Array>((value) => value instanceof Float32Array, 'a Float32Array').optional(),
  })
  .strict();

export type QuantizeWeightOptions = z.input<typeof QuantizeWeightOptionsSchema>;

/**
 * Quantizes a packed fp32 weight to int8, symmetric per output row over the narrow range
 * [−127, 127]: `q = clamp(roundHalfEven(w / scale), −127, 127)` with `scale = max |w| / 127`
 * (1 for an all-zero row) or the given `scales`. The sparsity structure is kept as it is; an
 * int8 weight is returned unchanged when no scales are given.
 *
 * @example
 * ```ts
 * const int8 = quantizeWeightInt8(packWeight(dense, 768, 768, { format: 'block', block: [4, 1] }));
 * int8.dtype; // 'int8'
 * ```
 */
export function quantizeWeightInt8(packed: PackedWeight, options: QuantizeWeightOptions = {}): PackedWeight {
  const parsed = QuantizeWeightOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new ConfigError('Invalid quantizeWeightInt8 options', {
      expected: '{ scales?: Float32Array }',
      received: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`).join('; '),
      hint: 'Pass one positive scale per output row, or none',
    });
  }
  const given = parsed.data.scales;
  if (packed.dtype === 'int8' && given === undefined) return packed;
  if (given !== undefined && (given.length !== packed.rows || given.some((scale) => !(scale > 0) || !Number.isFinite(scale)))) {
    throw new ShapeError('Weight scales do not fit the weight', {
      expected: `${packed.rows} positive finite scales (one per output row)`,
      received: `${given.length} scales`,
      hint: 'Export per-output-channel scales of this weight',
    });
  }
  const source = packed.dtype === 'int8' ? dequantizedValues(packed) : (packed.values as Float32Array);
  const rows = storedRows(packed);
  const scales = given === undefined ? new Float32Array(packed.rows) : Float32Array.from(given);
  if (given === undefined) {
    for (let i = 0; i < source.length; i++) scales[rows[i]] = Math.max(scales[rows[i]], Math.abs(source[i]));
    for (let r = 0; r < packed.rows; r++) scales[r] = scales[r] === 0 ? 1 : Math.fround(scales[r] / 127);
  }
  const values = new Int8Array(source.length);
  for (let i = 0; i < source.length; i++) {
    values[i] = Math.max(-127, Math.min(127, roundHalfEven(Math.fround(source[i] / scales[rows[i]]))));
  }
  return { ...packed, dtype: 'int8', values, scales };
}

function dequantizedValues(packed: PackedWeight): Float32Array {
  const rows = storedRows(packed);
  const out = new Float32Array(packed.values.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.fround(packed.values[i] * packed.scales![rows[i]]);
  return out;
}

