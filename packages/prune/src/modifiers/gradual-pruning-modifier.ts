import { ConfigError, createModifier, tf, type ModifierContext, type ScheduledModifier } from '@pofa/core';
import { globalMagnitudeMasks } from '../masks/global-magnitude-masks';
import { magnitudeMask } from '../masks/magnitude-mask';
import { checkPatternFits } from '../masks/pattern';
import { constantSparsity, cubicSparsity, linearSparsity, oneShotSparsity } from '../schedules/gradual-schedules';
import { attachMasks, type MaskedTarget } from './attach-masks';
import { resolveGradualPruningOptions, type GradualPruningOptions, type ResolvedGradualPruningOptions } from './gradual-pruning-options';
import { rewindFactor } from './learning-rate-rewind';

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

function scheduleFor(options: ResolvedGradualPruningOptions): (step: number) => number {
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
 * - `learningRateRewind` multiplies the Trainer's linear warmup schedule so the rate follows
 *   MCRP's `get_linear_rewinding_schedule_with_warmup` (see `rewoundLinearMultiplier`).
 * - The masks are transforms, so the Trainer checkpoints them; the modifier's `state()` adds the
 *   last pruning step and sparsity.
 *
 * @example
 * ```ts
 * const pruning = createGradualPruningModifier({ finalSparsity: 0.9, endStep: 50_000, frequency: 1000, maskUpdateEndStep: 80_000 });
 * const trainer = createTrainer({ model, modifiers: [pruning], maxSteps: 100_000, ... });
 * ```
 */
export function createGradualPruningModifier(input: GradualPruningOptions): GradualPruningModifier {
  const options = resolveGradualPruningOptions(input);
  const sparsityAt = scheduleFor(options);
  const isPruningStep = (step: number): boolean =>
    step >= options.startStep &&
    step <= options.maskUpdateEndStep &&
    ((step - options.startStep) % options.frequency === 0 || step === options.endStep);
  let targets: MaskedTarget[] = [];
  let last: { step: number; sparsity: number } | undefined;

  const prune = (context: ModifierContext): void => {
    const sparsity = sparsityAt(context.step);
    if (options.scope === 'global') {
      const masks = globalMagnitudeMasks(Object.fromEntries(targets.map((target) => [target.name, target.parameter.variable])), {
        sparsity,
        pattern: options.pattern,
      });
      for (const target of targets) target.mask.setMask(masks[target.name]);
    } else {
      for (const target of targets) target.mask.setMask(tf.tidy(() => magnitudeMask(target.parameter.variable, { sparsity, pattern: options.pattern })));
    }
    last = { step: context.step, sparsity };
    context.log({ event: 'prune/gradual-magnitude', sparsity });
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
