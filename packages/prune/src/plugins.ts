import { type MaskGranularity, type ModifierFactory, type PruningMethod, type RegisterOptions, type Registry, type SparsitySchedule } from '@pofa/core';
import { z } from 'zod';
import { magnitudeMask } from './masks/magnitude-mask';
import { parsePattern, sparsityPatternSchema, type SparsityPattern } from './masks/pattern';
import { createGradualPruningModifier } from './modifiers/gradual-pruning-modifier';
import { gradualPruningOptionsSchema, type GradualPruningOptions } from './modifiers/gradual-pruning-options';
import { createPatternLockModifier, patternLockOptionsSchema, type PatternLockOptions } from './modifiers/pattern-lock-modifier';
import { constantSparsity, cubicSparsity, linearSparsity, oneShotSparsity } from './schedules/gradual-schedules';
import { gradualScheduleOptionsSchema } from './schedules/sparsity-schedule-options';
import { createStructuredPruningModifier, structuredPruningOptionsSchema, type StructuredPruningOptions } from './structured/structured-pruning-modifier';

/** Options of `prune/magnitude` after parsing. */
export interface MagnitudePruningOptions {
  sparsity: number;
  pattern: SparsityPattern;
}

function magnitudeOptionsSchema(defaultPattern: string): z.ZodType<MagnitudePruningOptions, z.ZodTypeDef, unknown> {
  return z
    .object({
      /** Fraction pruned, in [0, 1); required except for N:M (fixed at 1 − N/M). */
      sparsity: z.number().min(0).lt(1).optional(),
      pattern: z.union([z.string(), sparsityPatternSchema]).default(defaultPattern),
    })
    .strict()
    .transform((options, context): MagnitudePruningOptions => {
      let pattern: SparsityPattern;
      try {
        pattern = parsePattern(options.pattern);
      } catch (error) {
        context.addIssue({ code: z.ZodIssueCode.custom, path: ['pattern'], message: error instanceof Error ? error.message : String(error) });
        return z.NEVER;
      }
      const fixed = typeof pattern === 'object' && 'n' in pattern;
      if (options.sparsity === undefined && !fixed) {
        context.addIssue({ code: z.ZodIssueCode.custom, path: ['sparsity'], message: 'Required (a fraction in [0, 1)) unless the pattern is N:M' });
        return z.NEVER;
      }
      return { sparsity: options.sparsity ?? 0, pattern };
    });
}

function granularityOf(pattern: SparsityPattern): MaskGranularity {
  if (pattern === 'unstructured') return { type: 'element' };
  if ('block' in pattern) return { type: 'block', shape: pattern.block };
  return { type: 'n-of-m', kept: pattern.n, group: pattern.m };
}

/**
 * Magnitude pruning as a `PruningMethod` whose `pattern` option defaults to `defaultPattern`
 * and whose declared granularity is that pattern's (what callers and the conformance suite
 * read). `context.importance`, when given, replaces the magnitudes.
 *
 * @example
 * ```ts
 * const blocks = createMagnitudePruning('4x1'); // granularity { type: 'block', shape: [4, 1] }
 * const mask = blocks.computeMask(weight, blocks.optionsSchema.parse({ sparsity: 0.9 }));
 * ```
 */
export function createMagnitudePruning(defaultPattern = 'unstructured'): PruningMethod<MagnitudePruningOptions> {
  return {
    specificationVersion: 'v1',
    name: 'prune/magnitude',
    description: `Keeps the largest magnitudes (pattern ${defaultPattern} unless the options say otherwise): unstructured, blocks such as 4x1, or N:M such as 2:4`,
    optionsSchema: magnitudeOptionsSchema(defaultPattern),
    granularity: granularityOf(parsePattern(defaultPattern)),
    computeMask: (weight, options, context) => magnitudeMask(context?.importance ?? weight, options),
  };
}

/**
 * `prune/magnitude`: the default (unstructured) magnitude pruning method.
 *
 * @example
 * ```ts
 * const mask = magnitudePruning.computeMask(weight, magnitudePruning.optionsSchema.parse({ sparsity: 0.9, pattern: '4x1' }));
 * ```
 */
export const magnitudePruning: PruningMethod<MagnitudePruningOptions> = createMagnitudePruning();

type GradualScheduleSpecOptions = z.output<typeof gradualScheduleOptionsSchema>;
const oneShotSchema = gradualScheduleOptionsSchema.extend({ endStep: z.number().int().positive().optional() });
// The other window keys are accepted and ignored: `prune/gradual-magnitude` passes its whole window to a registered schedule.
const constantSchema = gradualScheduleOptionsSchema.partial().required({ finalSparsity: true });

/**
 * The four sparsity schedules as `SparsitySchedule` specs: `prune/cubic` (Zhu & Gupta),
 * `prune/linear`, `prune/one-shot`, `prune/constant`.
 *
 * @example
 * ```ts
 * const cubic = SPARSITY_SCHEDULES.find((schedule) => schedule.name === 'prune/cubic')!;
 * cubic.sparsityAt(25_000, cubic.optionsSchema.parse({ finalSparsity: 0.9, endStep: 50_000, frequency: 1000 })); // 0.7875
 * ```
 */
export const SPARSITY_SCHEDULES = [
  {
    specificationVersion: 'v1',
    name: 'prune/cubic',
    description: 'Cubic gradual sparsity (Zhu & Gupta 2017), held between pruning steps',
    optionsSchema: gradualScheduleOptionsSchema,
    sparsityAt: (step, options) => cubicSparsity({ ...options, step }),
  } satisfies SparsitySchedule<GradualScheduleSpecOptions>,
  {
    specificationVersion: 'v1',
    name: 'prune/linear',
    description: 'Linear ramp from the initial to the final sparsity',
    optionsSchema: gradualScheduleOptionsSchema,
    sparsityAt: (step, options) => linearSparsity({ ...options, step }),
  } satisfies SparsitySchedule<GradualScheduleSpecOptions>,
  {
    specificationVersion: 'v1',
    name: 'prune/one-shot',
    description: 'The final sparsity from startStep on',
    optionsSchema: oneShotSchema,
    sparsityAt: (step, options) => oneShotSparsity({ ...options, step }),
  } satisfies SparsitySchedule<z.output<typeof oneShotSchema>>,
  {
    specificationVersion: 'v1',
    name: 'prune/constant',
    description: 'The same sparsity at every step',
    optionsSchema: constantSchema,
    sparsityAt: (step, options) => constantSparsity({ ...options, step }),
  } satisfies SparsitySchedule<z.output<typeof constantSchema>>,
] as const;

/**
 * The modifiers of this package as `ModifierFactory` specs, for recipes:
 * `prune/gradual-magnitude` (whose `method` and `schedule` may name a registered
 * `pruning-method` and `sparsity-schedule`, resolved in the registry the recipe is built with),
 * `prune/pattern-lock` and `prune/structured` (which ranks by weight magnitude in a recipe:
 * gradient importance needs calibration data given in code).
 *
 * @example
 * ```ts
 * const recipe = { modifiers: [{ type: 'prune/gradual-magnitude', finalSparsity: 0.9, endStep: 50000, frequency: 1000 }] };
 * ```
 */
export const PRUNING_MODIFIERS = [
  {
    specificationVersion: 'v1',
    name: 'prune/gradual-magnitude',
    description: 'Gradual magnitude pruning with a sparsity schedule (and optional learning-rate rewind)',
    optionsSchema: gradualPruningOptionsSchema,
    create: (options, context) => createGradualPruningModifier(options, context),
  } satisfies ModifierFactory<GradualPruningOptions>,
  {
    specificationVersion: 'v1',
    name: 'prune/pattern-lock',
    description: 'Freezes the current zeros of the targets ("prune once")',
    optionsSchema: patternLockOptionsSchema,
    create: (options) => createPatternLockModifier(options),
  } satisfies ModifierFactory<PatternLockOptions>,
  {
    specificationVersion: 'v1',
    name: 'prune/structured',
    description: 'Keeps the top heads and FFN neurons per layer (or globally) and masks the rest',
    optionsSchema: structuredPruningOptionsSchema,
    create: (options) => createStructuredPruningModifier(options as StructuredPruningOptions),
  } satisfies ModifierFactory<z.output<typeof structuredPruningOptionsSchema>>,
] as const;

/**
 * Registers `prune/magnitude`, the four schedules and the three modifiers. Importing the
 * package registers nothing; call this once. A taken name throws unless `{ override: true }`.
 *
 * @example
 * ```ts
 * const registry = createRegistry();
 * registerPruning(registry);
 * const modifiers = createModifiersFromRecipe(recipe, registry);
 * ```
 */
export function registerPruning(registry: Pick<Registry, 'register'>, options: RegisterOptions = {}): void {
  registry.register('pruning-method', magnitudePruning, options);
  for (const schedule of SPARSITY_SCHEDULES) registry.register('sparsity-schedule', schedule, options);
  for (const factory of PRUNING_MODIFIERS) registry.register('modifier', factory, options);
}
