import { z } from 'zod';

/** A dotted-path glob (`*` one segment, `**` any number) or a RegExp. */
const targetPatternSchema = z.union([z.string().min(1), z.instanceof(RegExp)]);

/**
 * Which parameters a pruning modifier acts on: `include` globs (default: the paper's encoder
 * Linear weights, `ENCODER_LINEAR_WEIGHTS`) minus `exclude` globs.
 *
 * @example
 * ```ts
 * targetOptionsSchema.parse({ include: [...ENCODER_LINEAR_WEIGHTS, POOLER_WEIGHT], exclude: ['**.layer.0.**'] });
 * ```
 */
export const targetOptionsSchema = z
  .object({
    include: z.array(targetPatternSchema).min(1).optional(),
    exclude: z.array(targetPatternSchema).optional(),
  })
  .strict();

/** What {@link targetOptionsSchema} accepts. */
export type TargetSelection = z.input<typeof targetOptionsSchema>;
