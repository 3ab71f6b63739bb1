import { z } from 'zod';

/**
 * One modifier of a recipe: its registered `type` (`scope/name`), optional lifecycle keys,
 * and the factory's own options, all plain values.
 *
 * @example
 * ```ts
 * recipeEntrySchema.parse({ type: 'prune/gradual-magnitude', end: 1000, finalSparsity: 0.9 });
 * ```
 */
export const recipeEntrySchema = z
  .object({
    type: z.string(),
  })
  .passthrough();

/**
 * A recipe: plain data listing the modifiers of a run (no code, no interpolation).
 *
 * @example
 * ```yaml
 * version: 1
 * modifiers:
 *   - type: prune/gradual-magnitude
 *     start: 0
 *     end: 1000
 *     finalSparsity: 0.9
 * ```
 */
export const recipeSchema = z
  .object({
    version: z.literal(1),
    description: z.string().optional(),
    modifiers: z.array(recipeEntrySchema),
  })
  .strict();

/** A validated recipe. */
export type Recipe = z.output<typeof recipeSchema>;

/** One entry of {@link Recipe.modifiers}. */
export type RecipeEntry = Recipe['modifiers'][number];
