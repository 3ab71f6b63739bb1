import { z } from 'zod';
import { createModifiersFromRecipe, createRegistry, loadRecipe, type Modifier } from '@pofa/core';
import { registerPruning } from '@pofa/prune';
import { resolve } from 'node:path';
import { SCALE_NAMES, type ScaleName } from './scales';
import { PATTERNS } from './prune-ofa-recipe';

/**
 * The options of `pofa compress` (and of {@link runCompress}), validated by zod.
 *
 * @example
 * ```ts
 * compressOptionsSchema.parse({}); // the embedded default: spam, 90% unstructured, int8, scale 'default'
 * ```
 */
export const compressOptionsSchema = z
  .object({
    /** A model preset or a Hugging Face directory (default: the scale's own small BERT). */
    model: z.string().optional(),
    /** An embedded task, a GLUE task or `squad` (with `data`), or a .tsv/.jsonl file. */
    task: z.string().default('spam'),
    /** A GLUE task folder, the SQuAD v1.1 folder (`train-v1.1.json`, `dev-v1.1.json`), or a data file. */
    data: z.string().optional(),
    /** The labels of a .tsv/.jsonl task: `classes` or `regression` (default: integers are classes, other numbers regression). */
    labels: z.enum(['classes', 'regression']).optional(),
    sparsity: z.number().min(0).lt(1).default(0.9),
    pattern: z.enum(PATTERNS).default('unstructured'),
    int8: z.boolean().default(true),
    /** QAT weight scales per output row instead of per tensor (the Prune OFA code's choice). */
    perChannel: z.boolean().default(false),
    /** A recipe whose modifiers replace the default pruning of sparse pre-training. */
    recipe: z.string().optional(),
    /** A fine-tuned dense teacher directory for the task (skips teacher fine-tuning). */
    teacher: z.string().optional(),
    out: z.string().default('pofa-out'),
    seed: z.number().int().default(0),
    resume: z.boolean().default(false),
    json: z.string().optional(),
    cache: z.string().optional(),
    scale: z.enum(SCALE_NAMES as [ScaleName, ...ScaleName[]]).default('default'),
    /** Stop after this stage, leaving the run open for the next stage command (`pofa prune`, ...). */
    until: z.enum(['pretrain', 'prune', 'finetune']).optional(),
  })
  .strict();

/** What {@link runCompress} accepts. */
export type CompressOptions = z.input<typeof compressOptionsSchema>;

/** Parsed {@link CompressOptions}. */
export type CompressSettings = z.output<typeof compressOptionsSchema>;

/**
 * The modifiers of a recipe file, built against a registry holding pofa's pruning modifiers
 * (`prune/gradual-magnitude`, `prune/pattern-lock`, `prune/structured`). A typo in a type or an
 * option is a `ConfigError` that names it (and the closest known name).
 *
 * @example
 * ```ts
 * const modifiers = await recipeModifiers('recipes/prune-90.yaml', process.cwd());
 * ```
 */
export async function recipeModifiers(path: string, cwd: string): Promise<Modifier[]> {
  const recipe = await loadRecipe(resolve(cwd, path));
  const registry = createRegistry();
  registerPruning(registry);
  return createModifiersFromRecipe(recipe, registry);
}
