import { ConfigError, countZeros, createModifier, parseOptions, tf, type ScheduledModifier } from '@pofa/core';
import { z } from 'zod';
import { attachMasks, type MaskedTarget } from './attach-masks';
import { targetOptionsSchema } from './target-options';

/**
 * Options of {@link createPatternLockModifier} (also the recipe schema of `prune/pattern-lock`).
 *
 * @example
 * ```ts
 * patternLockOptionsSchema.parse({ targets: { include: ['**.encoder.layer.*.**.weight'] } });
 * ```
 */
export const patternLockOptionsSchema = z.object({ targets: targetOptionsSchema.default({}) }).strict();

/** What {@link createPatternLockModifier} accepts. */
export type PatternLockOptions = z.input<typeof patternLockOptionsSchema>;

/** The pattern-lock modifier, with the locked tensors visible. */
export interface PatternLockModifier extends ScheduledModifier {
  /** Dotted names of the locked tensors (known after `initialize`). */
  targetNames(): string[];
}

/**
 * Pattern lock — the "prune once" of Prune OFA (MCRP's `PatternLockPruningMethod`): at
 * `initialize` each target's mask becomes `weight ≠ 0` of its current effective weight, added
 * FIRST in its transform chain, and never changes. Masked weights get no gradient, so through
 * fine-tuning (AdamW with weight decay included: the raw value may drift, the effective weight
 * stays exactly 0) and any later transform such as fake quantization, the zeros stay where they
 * were. Apply it to a sparse pre-trained model before transfer learning.
 *
 * @example
 * ```ts
 * const lock = createPatternLockModifier({});
 * const trainer = createTrainer({ model: sparseModel, modifiers: [lock, qat], ... });
 * ```
 */
export function createPatternLockModifier(input: PatternLockOptions = {}): PatternLockModifier {
  const options = parseOptions(patternLockOptionsSchema, input, 'prune/pattern-lock');
  let targets: MaskedTarget[] = [];
  const modifier = createModifier({
    kind: 'prune/pattern-lock',
    onInitialize(context) {
      if (targets.length > 0) throw new ConfigError('A pattern-lock modifier was initialized twice', { hint: 'Create one modifier per run' });
      targets = attachMasks(context.model, options.targets, (parameter) => tf.tidy(() => tf.cast(tf.notEqual(parameter.value(), 0), 'float32')));
      let zeros = 0;
      let count = 0;
      for (const target of targets) {
        const values = target.mask.mask.dataSync();
        count += values.length;
        zeros += countZeros(values);
      }
      context.log({ event: 'prune/pattern-lock', tensors: targets.length, sparsity: count === 0 ? 0 : zeros / count });
    },
  });
  return Object.assign(modifier, { targetNames: () => targets.map((target) => target.name) });
}
