import { ConfigError, isRegistryKey, parseOptions } from '@pofa/core';
import { z } from 'zod';
import { parsePattern, type SparsityPattern } from '../masks/pattern';
import { targetOptionsSchema } from './target-options';

const sparsity = z.number().min(0).lt(1);
const step = z.number().int().min(0);

/** The schedules the modifier computes itself; any other `schedule` is a registered `sparsity-schedule`. */
export const BUILT_IN_SCHEDULES = ['cubic', 'linear', 'one-shot', 'constant'] as const;

/** The pruning method the modifier computes itself (layer or global scope, every pattern). */
export const BUILT_IN_PRUNING_METHOD = 'prune/magnitude';

/** The keys of the pruning window, which a registered schedule receives with its `scheduleOptions`. */
export const SCHEDULE_WINDOW_KEYS = ['initialSparsity', 'finalSparsity', 'startStep', 'endStep', 'frequency'] as const;

const scheduleName = z.string().refine((name) => (BUILT_IN_SCHEDULES as readonly string[]).includes(name) || isRegistryKey(name), {
  message: `Expected one of ${BUILT_IN_SCHEDULES.join(', ')}, or the scope/name of a registered sparsity-schedule`,
});
const methodName = z.string().refine(isRegistryKey, { message: 'Expected the scope/name of a pruning-method (prune/magnitude, or a registered one)' });

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
    /**
     * How the sparsity grows from `initialSparsity` to `finalSparsity`: `cubic` (the default, Zhu &
     * Gupta), `linear`, `one-shot`, `constant`, or the `scope/name` of a `sparsity-schedule` in the
     * registry the modifier is created with (its `sparsityAt` then gives the sparsity of each
     * pruning step).
     */
    schedule: scheduleName.default('cubic'),
    /** Options of a registered `schedule` besides the window keys (`initialSparsity` ... `frequency`), which it gets too. */
    scheduleOptions: z.record(z.unknown()).optional(),
    /**
     * The `pruning-method` that computes each target's mask: `prune/magnitude` (the default, built
     * in: `pattern` and `scope` are its options), or the `scope/name` of one in the registry the
     * modifier is created with (its `computeMask` runs per target with the scheduled `sparsity`).
     */
    method: methodName.default(BUILT_IN_PRUNING_METHOD),
    /** Options of a registered `method` besides `sparsity`, which the schedule gives. */
    methodOptions: z.record(z.unknown()).optional(),
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
  checkPluginOptions({ ...parsed, pattern }, fail);
  return { ...parsed, pattern, endStep, maskUpdateEndStep };
}

/** The pairings of `method`/`schedule` with their options that cannot work, as `ConfigError`s. */
function checkPluginOptions(parsed: Omit<z.output<typeof gradualPruningOptionsSchema>, 'pattern'> & { pattern: SparsityPattern }, fail: (key: string, expected: string, received: unknown) => never): void {
  if (parsed.method === BUILT_IN_PRUNING_METHOD) {
    if (parsed.methodOptions !== undefined) fail('methodOptions', `no methodOptions with ${BUILT_IN_PRUNING_METHOD} (its options are pattern and scope, on the modifier)`, parsed.methodOptions);
  } else {
    if (parsed.pattern !== 'unstructured') fail('pattern', `no pattern with a registered method (pattern is an option of ${BUILT_IN_PRUNING_METHOD}; give ${parsed.method} its own in methodOptions)`, parsed.pattern);
    if (parsed.scope !== 'layer') fail('scope', `scope "layer" with a registered method (it computes one tensor's mask at a time)`, parsed.scope);
    if (parsed.methodOptions !== undefined && 'sparsity' in parsed.methodOptions) fail('methodOptions.sparsity', 'no sparsity in methodOptions (the schedule gives it at each pruning step)', parsed.methodOptions.sparsity);
  }
  if ((BUILT_IN_SCHEDULES as readonly string[]).includes(parsed.schedule)) {
    if (parsed.scheduleOptions !== undefined) fail('scheduleOptions', `no scheduleOptions with the built-in schedule ${parsed.schedule} (its options are the window keys on the modifier)`, parsed.scheduleOptions);
  } else {
    const clash = SCHEDULE_WINDOW_KEYS.find((key) => parsed.scheduleOptions !== undefined && key in parsed.scheduleOptions);
    if (clash !== undefined) fail(`scheduleOptions.${clash}`, `${clash} on the modifier, not in scheduleOptions (the schedule receives the window keys from there)`, parsed.scheduleOptions![clash]);
  }
}
