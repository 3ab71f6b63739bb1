import { ConfigError, parseOptions } from '@pofa/core';
import { z } from 'zod';
import { parsePattern, type SparsityPattern } from '../masks/pattern';
import { targetOptionsSchema } from './target-options';

const sparsity = z.number().min(0).lt(1);
const step = z.number().int().min(0);

/**
 * Options of {@link createGradualPruningModifier}, as a zod schema (also the recipe schema
 * of `prune/gradual-magnitude`). Steps are optimizer steps (the Trainer's `context.step`).
 *
 * @example
 * ```ts
 * // The paper's pre-training run: 0 → 90% over steps 0–50k, every 1k steps, masks still
 * // recomputed at 90% until 80k, then fixed until the end (100k).
 * gradualPruningOptionsSchema.parse({ finalSparsity: 0.9, endStep: 50_000, frequency: 1000, maskUpdateEndStep: 80_000 });
 * ```
 */
export const gradualPruningOptionsSchema = z
  .object({
    /** The tensors to prune (default: every encoder Linear weight). */
    targets: targetOptionsSchema.default({}),
    /** How the sparsity grows from `initialSparsity` to `finalSparsity` (default cubic, Zhu & Gupta). */
    schedule: z.enum(['cubic', 'linear', 'one-shot', 'constant']).default('cubic'),
    initialSparsity: sparsity.default(0),
    finalSparsity: sparsity,
    /** First pruning step. */
    startStep: step.default(0),
    /** The step at which `finalSparsity` is reached (default `startStep + 1`: one-shot and constant need none). */
    endStep: z.number().int().positive().optional(),
    /** Masks are recomputed every `frequency` steps from `startStep` on. */
    frequency: z.number().int().positive().default(1),
    /**
     * Last step at which masks are recomputed (default `endStep`); between `endStep` and this
     * step they are recomputed at `finalSparsity` (the official configs: `end_pruning_step`
     * 80k after `policy_end_step` 50k). After it the masks stay fixed.
     */
    maskUpdateEndStep: step.optional(),
    /** `'unstructured'`, a block such as `'4x1'`, or N:M such as `'2:4'` (fixed sparsity 1 − N/M). */
    pattern: z.union([z.string(), z.record(z.unknown())]).default('unstructured'),
    /** `layer`: every tensor reaches the target (the paper); `global`: one threshold over all targets. */
    scope: z.enum(['layer', 'global']).default('layer'),
    /**
     * Learning-rate rewind as in the official Prune OFA runs (`--lr_rewind`): the Trainer's
     * schedule must be `createLinearWarmupSchedule` with these `warmupSteps` and `totalSteps`.
     */
    learningRateRewind: z
      .object({ warmupSteps: z.number().int().min(0), totalSteps: z.number().int().positive() })
      .strict()
      .optional(),
  })
  .strict();

/** What {@link createGradualPruningModifier} accepts. */
export type GradualPruningOptions = z.input<typeof gradualPruningOptionsSchema>;

/** Parsed options with the defaults resolved and the pattern parsed. */
export interface ResolvedGradualPruningOptions extends Omit<z.output<typeof gradualPruningOptionsSchema>, 'pattern' | 'endStep' | 'maskUpdateEndStep'> {
  pattern: SparsityPattern;
  endStep: number;
  maskUpdateEndStep: number;
}

/**
 * Validates gradual pruning options; a bad one is a `ConfigError` naming the key
 * (`finalSparsity`, `pattern`, `endStep`...).
 *
 * @example
 * ```ts
 * resolveGradualPruningOptions({ finalSparsity: 0.9, endStep: 100 }).frequency; // 1
 * ```
 */
export function resolveGradualPruningOptions(options: GradualPruningOptions, where = 'prune/gradual-magnitude'): ResolvedGradualPruningOptions {
  const parsed = parseOptions(gradualPruningOptionsSchema, options, where);
  const pattern = parsePattern(parsed.pattern as SparsityPattern | string);
  const endStep = parsed.endStep ?? parsed.startStep + 1;
  const fail = (key: string, expected: string, received: unknown): never => {
    throw new ConfigError(`Invalid ${where}: ${key}`, { expected, received: JSON.stringify(received) });
  };
  if (endStep <= parsed.startStep) fail('endStep', `an endStep greater than startStep (${parsed.startStep})`, endStep);
  const maskUpdateEndStep = parsed.maskUpdateEndStep ?? endStep;
  if (maskUpdateEndStep < endStep) fail('maskUpdateEndStep', `a maskUpdateEndStep of at least endStep (${endStep})`, maskUpdateEndStep);
  if (typeof pattern === 'object' && 'n' in pattern && parsed.scope === 'global') {
    fail('scope', 'scope "layer" with an N:M pattern (N:M has no global form)', parsed.scope);
  }
  return { ...parsed, pattern, endStep, maskUpdateEndStep };
}
