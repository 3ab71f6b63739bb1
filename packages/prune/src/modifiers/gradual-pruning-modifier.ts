import { ConfigError, createModifier, defaultRegistry, tf, type ModifierContext, type Registry, type ScheduledModifier } from '@pofa/core';
import { globalMagnitudeMasks } from '../masks/global-magnitude-masks';
import { magnitudeMask } from '../masks/magnitude-mask';
import { checkPatternFits } from '../masks/pattern';
import { constantSparsity, cubicSparsity, linearSparsity, oneShotSparsity } from '../schedules/gradual-schedules';
import { attachMasks, type MaskedTarget } from './attach-masks';
import { BUILT_IN_PRUNING_METHOD, resolveGradualPruningOptions, type GradualPruningOptions, type ResolvedGradualPruningOptions } from './gradual-pruning-options';
import { rewindFactor } from './learning-rate-rewind';
import { registeredMethod, registeredSchedule } from './registered-pruning-plugins';

/** The gradual pruning modifier, with its schedule and targets visible. */
export interface GradualPruningModifier extends ScheduledModifier {
  readonly options: ResolvedGradualPruningOptions;
  /** The scheduled sparsity at `step` (what the masks hold after a pruning step there). */
  sparsityAt(step: number): number;
  /** Whether masks are recomputed at `step`. */
  isPruningStep(step: number): boolean;
  /** Dotted names of the pruned tensors (known after `initialize`). */
  targetNames(): string[];
}

/** Where {@link createGradualPruningModifier} resolves a registered `method` or `schedule`. */
export interface GradualPruningContext {
  /** The registry that holds them (default: `defaultRegistry`); a recipe passes the one it is built from. */
  readonly registry?: Registry;
}

function scheduleFor(options: ResolvedGradualPruningOptions, registry: Registry): (step: number) => number {
  const { initialSparsity, finalSparsity, startStep, endStep, frequency } = options;
  const window = { initialSparsity, finalSparsity, startStep, endStep, frequency };
  switch (options.schedule) {
    case 'cubic':
      return (step) => cubicSparsity({ ...window, step });
    case 'linear':
      return (step) => linearSparsity({ ...window, step });
    case 'one-shot':
      return (step) => oneShotSparsity({ initialSparsity, finalSparsity, startStep, step });
    case 'constant':
      return (step) => constantSparsity({ finalSparsity, step });
    default:
      return registeredSchedule(options, registry);
  }
}

/**
 * Gradual magnitude pruning (Zhu & Gupta 2017) as the Prune OFA paper runs it with Intel's
 * Model-Compression-Research-Package (MCRP), on core's `createModifier`:
 *
 * - `initialize` puts an all-ones mask transform first on every target (default: the encoder
 *   Linear weights), checking that the pattern tiles each one.
 * - Pruning steps are `startStep + k·frequency` up to `maskUpdateEndStep` (default `endStep`),
 *   plus `endStep` itself so the final sparsity is always reached. At each one the masks are
 *   recomputed from the magnitudes of the RAW weights (not raw × mask), exactly as MCRP's
 *   `UnstructuredMagnitudePruningMethod._compute_mask` does: pruned weights get no gradient
 *   and decay under AdamW's weight decay, so they normally stay pruned, but a pruned weight
 *   may come back if its raw value is still among the largest. Layer scope prunes exactly
 *   `floor(s · count)` elements (or blocks) of each tensor (ties to the earlier position;
 *   MCRP's `>` threshold prunes all ties); global scope uses one threshold over all targets.
 * - After `maskUpdateEndStep` the masks stay fixed (the paper: the last 20k of 100k steps).
 * - `method` other than `prune/magnitude` and `schedule` other than the four built-in names are
 *   looked up in `registry` (a `pruning-method`, a `sparsity-schedule`) when the modifier
 *   is created; an unknown name is a `RegistryError` listing the registered ones. A registered
 *   method's `computeMask` runs on each target's raw weight with `methodOptions` and the
 *   scheduled `sparsity`; a registered schedule's `sparsityAt` gives that sparsity.
 * - `learningRateRewind` multiplies the Trainer's linear warmup schedule so the rate follows
 *   MCRP's `get_linear_rewinding_schedule_with_warmup` (see `rewoundLinearMultiplier`).
 * - The masks are transforms, so the Trainer checkpoints them; the modifier's `state()` adds the
 *   last pruning step and sparsity.
 *
 * @example
 * ```ts
 * const pruning = createGradualPruningModifier({ finalSparsity: 0.9, endStep: 50_000, frequency: 1000, maskUpdateEndStep: 80_000 });
 * const trainer = createTrainer({ model, modifiers: [pruning], maxSteps: 100_000, ... });
 * // A registered method and schedule (what a recipe naming them builds):
 * const movement = createGradualPruningModifier({ method: 'acme/movement', schedule: 'acme/steps', finalSparsity: 0.9, endStep: 50_000 }, { registry });
 * ```
 */
export function createGradualPruningModifier(input: GradualPruningOptions, { registry = defaultRegistry }: GradualPruningContext = {}): GradualPruningModifier {
  const options = resolveGradualPruningOptions(input);
  const sparsityAt = scheduleFor(options, registry);
  const maskOf = options.method === BUILT_IN_PRUNING_METHOD ? undefined : registeredMethod(options, registry);
  const isPruningStep = (step: number): boolean =>
    step >= options.startStep &&
    step <= options.maskUpdateEndStep &&
    ((step - options.startStep) % options.frequency === 0 || step === options.endStep);
  let targets: MaskedTarget[] = [];
  let last: { step: number; sparsity: number } | undefined;

  const prune = (context: ModifierContext): void => {
    const sparsity = sparsityAt(context.step);
    if (maskOf !== undefined) {
      for (const target of targets) target.mask.setMask(maskOf(target.parameter.variable, sparsity, target.name));
    } else if (options.scope === 'global') {
      const masks = globalMagnitudeMasks(Object.fromEntries(targets.map((target) => [target.name, target.parameter.variable])), {
        sparsity,
        pattern: options.pattern,
      });
      for (const target of targets) target.mask.setMask(masks[target.name]);
    } else {
      for (const target of targets) target.mask.setMask(tf.tidy(() => magnitudeMask(target.parameter.variable, { sparsity, pattern: options.pattern })));
    }
    last = { step: context.step, sparsity };
    context.log({ event: 'prune/gradual-magnitude', sparsity, ...(maskOf === undefined ? {} : { method: options.method }) });
  };

  const modifier = createModifier({
    kind: 'prune/gradual-magnitude',
    start: options.startStep,
    end: options.maskUpdateEndStep + 1,
    onInitialize(context) {
      if (targets.length > 0) throw new ConfigError('A gradual pruning modifier was initialized twice', { hint: 'Create one modifier per run' });
      const selected = attachMasks(context.model, options.targets);
      try {
        for (const target of selected) checkPatternFits(options.pattern, target.parameter.shape, target.name);
      } catch (error) {
        for (const target of selected) target.parameter.removeTransform(target.mask)?.dispose?.();
        throw error;
      }
      targets = selected;
    },
    onUpdate(context) {
      if (isPruningStep(context.step)) prune(context);
    },
    learningRateFactor:
      options.learningRateRewind === undefined
        ? undefined
        : (context) => rewindFactor(context.step, { ...options.learningRateRewind!, startStep: options.startStep, endStep: options.endStep, frequency: options.frequency }),
    state: () => ({ json: last === undefined ? null : { ...last } }),
    loadState(state) {
      const json = state.json as { step?: unknown; sparsity?: unknown } | null | undefined;
      last = json != null && typeof json.step === 'number' && typeof json.sparsity === 'number' ? { step: json.step, sparsity: json.sparsity } : undefined;
    },
  });
  return Object.assign(modifier, {
    options,
    sparsityAt,
    isPruningStep,
    targetNames: () => targets.map((target) => target.name),
  });
}
