import { createModifier, modifierScheduleSchema, parseOptions, type ScheduledModifier } from '@pofa/core';
import type { EncoderModel } from '@pofa/models';
import { z } from 'zod';
import { computeStructureImportance, magnitudeStructureImportance, type CalibrationLoss } from './structure-importance';
import { structuredMasks, type StructuredMaskResult } from './structured-masks';

/**
 * The JSON part of {@link createStructuredPruningModifier}'s options (the recipe schema of
 * `prune/structured`): when (`start`), how many heads / neurons to keep, and the scope.
 *
 * @example
 * ```ts
 * structuredPruningOptionsSchema.parse({ start: 100, heads: 8, neurons: 2048 });
 * ```
 */
export const structuredPruningOptionsSchema = modifierScheduleSchema
  .pick({ start: true })
  .extend({
    heads: z.number().int().positive().optional(),
    neurons: z.number().int().positive().optional(),
    scope: z.enum(['layer', 'global']).default('layer'),
  })
  .strict()
  .refine((options) => options.heads !== undefined || options.neurons !== undefined, { message: 'give heads, neurons or both', path: ['heads'] });

/** Options of {@link createStructuredPruningModifier}. */
export type StructuredPruningOptions<B = unknown> = z.input<typeof structuredPruningOptionsSchema> & {
  /** Data for gradient importance (PaddleSlim's definition); without it, weight magnitudes rank heads and neurons. */
  calibration?: { batches: Iterable<B>; loss: CalibrationLoss<B> };
};

/** The structured pruning modifier; `result()` holds what was kept once it ran. */
export interface StructuredPruningModifier extends ScheduledModifier {
  result(): StructuredMaskResult | undefined;
}

/**
 * Structured pruning to a target number of heads and FFN neurons, on core's `createModifier`:
 * at the first update at or after `start` it ranks heads and neurons (gradient importance over
 * `calibration`, see `computeStructureImportance`, else `magnitudeStructureImportance`) and
 * masks all but the top `heads` / `neurons` (per layer, or over all layers with
 * `scope: 'global'`); the masks then stay. The masks are transforms, so checkpoints keep
 * them; after training, `removeMaskedStructure(model)` gives the physically smaller model.
 *
 * @example
 * ```ts
 * const structured = createStructuredPruningModifier({ heads: 8, neurons: 2048, calibration: { batches, loss } });
 * const trainer = createTrainer({ model, modifiers: [structured], ... });
 * ```
 */
export function createStructuredPruningModifier<B>(input: StructuredPruningOptions<B>): StructuredPruningModifier {
  const { calibration, ...json } = input;
  const options = parseOptions(structuredPruningOptionsSchema, json, 'prune/structured');
  let result: StructuredMaskResult | undefined;
  let model: EncoderModel | undefined;
  const modifier = createModifier({
    kind: 'prune/structured',
    start: options.start,
    onInitialize(context) {
      model = context.model as EncoderModel;
    },
    onStart(context) {
      if (result !== undefined) return;
      const current = context.model as EncoderModel;
      const importance = calibration === undefined ? magnitudeStructureImportance(current) : computeStructureImportance(current, calibration.batches, calibration.loss);
      result = structuredMasks(current, importance, options);
      context.log({ event: 'prune/structured', heads: result.heads.map((layer) => layer.length), neurons: result.neurons.map((layer) => layer.length) });
    },
    state: () => ({ json: result === undefined ? null : { heads: result.heads, neurons: result.neurons } }),
    // A resumed run re-creates the masks here; the Trainer then restores their saved values.
    loadState(state) {
      const saved = state.json as { heads?: number[][]; neurons?: number[][] } | null | undefined;
      if (saved?.heads === undefined || saved.neurons === undefined || model === undefined || result !== undefined) return;
      const marks = (kept: number[][], sizes: number[][]) => sizes.map((layer, l) => layer.map((_, i) => (kept[l].includes(i) ? 1 : 0)));
      const sizes = magnitudeStructureImportance(model);
      result = structuredMasks(model, { heads: marks(saved.heads, sizes.heads), neurons: marks(saved.neurons, sizes.neurons) }, options);
    },
  });
  return Object.assign(modifier, { result: () => result });
}
