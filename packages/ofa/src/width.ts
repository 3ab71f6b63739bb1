import { ConfigError, roundHalfEven } from '@pofa/core';
import { z } from 'zod';

/**
 * DynaBERT's width multipliers (Hou et al. 2020, also PaddleNLP's OFA example as
 * `1, 5/6, 2/3, 1/2`): BERT-base keeps 12, 10, 8, 6 heads and 3072, 2560, 2048, 1536 FFN
 * neurons per layer.
 *
 * @example
 * ```ts
 * for (const width of DEFAULT_WIDTH_MULTIPLIERS) setActiveWidth(model, width);
 * ```
 */
export const DEFAULT_WIDTH_MULTIPLIERS: readonly number[] = [1.0, 0.833, 0.667, 0.5];

const multiplierSchema = z.number().finite().gt(0).lte(1);

/**
 * A width: one multiplier for heads and FFN together (DynaBERT), or one per dimension.
 *
 * @example
 * ```ts
 * widthSchema.parse(0.5); widthSchema.parse({ heads: 0.5, ffn: 0.75 });
 * ```
 */
export const widthSchema = z.union([multiplierSchema, z.object({ heads: multiplierSchema.default(1), ffn: multiplierSchema.default(1) }).strict()]);

/** A width as the caller writes it: `0.667` or `{ heads: 0.5, ffn: 0.75 }`. */
export type Width = z.input<typeof widthSchema>;

/** The full shape of a supernet layer: heads and FFN neurons. */
export interface LayerShape {
  heads: number;
  ffn: number;
}

/** How many heads and FFN neurons of each layer a width keeps (the first ones). */
export interface ResolvedWidth {
  heads: number;
  ffn: number;
}

/**
 * The heads and FFN neurons kept per layer at `width`.
 *
 * One multiplier `m` follows DynaBERT's `round_to_nearest` (modeling_dynabert.py): heads =
 * round(m · H) (Python rounding), and the FFN keeps the same fraction of its neurons as of
 * the heads, ⌊heads · F / H⌋ (computed in integers, so no float product is truncated one
 * below). PaddleSlim's OFA truncates `int(m · n)` instead, which gives 9 heads and 2558
 * neurons for 0.833 but agrees for PaddleNLP's `5/6, 2/3` spelling of the same list; the
 * issue's 12 → 10 and 3072 → 2560 are DynaBERT's numbers. Per-dimension multipliers round
 * each count on its own: heads = round(m_h · H), ffn = round(m_f · F). Every count is at
 * least 1.
 *
 * @example
 * ```ts
 * resolveWidth({ heads: 12, ffn: 3072 }, 0.833); // { heads: 10, ffn: 2560 }
 * resolveWidth({ heads: 12, ffn: 3072 }, { heads: 0.5, ffn: 0.25 }); // { heads: 6, ffn: 768 }
 * ```
 */
export function resolveWidth(shape: LayerShape, width: Width): ResolvedWidth {
  const parsed = widthSchema.safeParse(width);
  if (!parsed.success) {
    throw new ConfigError('Invalid width', {
      expected: 'a multiplier in (0, 1] or { heads?, ffn? } multipliers in (0, 1]',
      received: JSON.stringify(width),
      hint: `DynaBERT's widths are ${DEFAULT_WIDTH_MULTIPLIERS.join(', ')}`,
    });
  }
  const value = parsed.data;
  if (typeof value === 'number') {
    const heads = Math.max(1, roundHalfEven(value * shape.heads));
    return { heads, ffn: Math.max(1, Math.floor((heads * shape.ffn) / shape.heads)) };
  }
  return {
    heads: Math.max(1, roundHalfEven(value.heads * shape.heads)),
    ffn: Math.max(1, roundHalfEven(value.ffn * shape.ffn)),
  };
}
