import { CheckpointError, createModifier, describeValue, modifierScheduleSchema, parseOptions, type Module, type ScheduledModifier } from '@pofa/core';
import { z } from 'zod';
import type { ObserverState } from '../observers/create-observer';
import { inputFakeQuantOptionsSchema } from './input-fake-quantize';
import { installFakeQuantization, weightSchemeSchema, type InstalledFakeQuantization } from './install-fake-quantization';
import { targetOptionsSchema } from './quant-targets';

/** The kind of the modifier {@link createQatModifier} makes (and the name of its factory). */
export const QAT_MODIFIER_KIND = 'quant/qat';

/**
 * Options of {@link createQatModifier} (also the recipe entry of `quant/qat`).
 *
 * @example
 * ```ts
 * qatOptionsSchema.parse({ start: 100, activations: { freezeAfterSteps: 500 } });
 * ```
 */
export const qatOptionsSchema = modifierScheduleSchema
  .extend({
    /** The weights to quantize (default: the encoder Linear layers and the task head). */
    targets: targetOptionsSchema.optional(),
    /** Also quantize the embedding tables (8-bit weights, per tensor), as Q8BERT. */
    embeddings: z.boolean().default(false),
    weights: weightSchemeSchema.default({}),
    activations: z
      .union([
        inputFakeQuantOptionsSchema.extend({
          /** Freeze the input observers this many steps after `start` (never, when absent, until `end`). */
          freezeAfterSteps: z.number().int().min(0).optional(),
        }),
        z.literal(false),
      ])
      .default({}),
  })
  .strict();

/**
 * Options of {@link createQatModifier}, as the caller writes them.
 *
 * @example
 * ```ts
 * const options: QatOptions = { weights: { perChannel: true }, activations: { observer: 'ema' } };
 * ```
 */
export type QatOptions = z.input<typeof qatOptionsSchema>;

/**
 * The QAT modifier, with access to what it installed.
 *
 * @example
 * ```ts
 * const qat: QatModifier = createQatModifier();
 * exportInt8(model, { activationRanges: qat.activationRanges() });
 * ```
 */
export interface QatModifier extends ScheduledModifier {
  /** The fake quantization on the model (undefined before `start`). */
  readonly installed: InstalledFakeQuantization | undefined;
  /** Input ranges by Linear module path, for `exportInt8` (empty before `start`). */
  activationRanges(): Record<string, { min: number; max: number }>;
}

interface QatPluginState {
  installed: boolean;
  observers: Record<string, ObserverState>;
}

function readPluginState(json: unknown): QatPluginState {
  const record = json as Partial<QatPluginState> | null;
  if (typeof record !== 'object' || record === null || typeof record.installed !== 'boolean' || typeof record.observers !== 'object' || record.observers === null) {
    throw new CheckpointError(`Cannot restore the state of ${QAT_MODIFIER_KIND}`, {
      expected: '{ installed: boolean, observers: { [modulePath]: ObserverState } } as written by state()',
      received: describeValue(json),
    });
  }
  return record as QatPluginState;
}

/**
 * Quantization-aware training that keeps sparsity (Prune OFA §3.3, Q8BERT): at `start` it
 * appends a weight fake-quantizer to each target weight — after any pruning mask, so pruned
 * weights stay exactly zero and the mask keeps their gradient at zero — and an input
 * fake-quantizer with an EMA observer to each target Linear (observing only in training, using the
 * observed range in eval). Observers freeze `activations.freezeAfterSteps` steps after `start`,
 * and at `end`; the fake quantization stays on after the run, for evaluation and `exportInt8`.
 * `state()` carries the observers' ranges; on resume `loadState` re-installs the transforms.
 *
 * @example
 * ```ts
 * const qat = createQatModifier({ start: 0, weights: { bits: 8, perChannel: false }, activations: { freezeAfterSteps: 800 } });
 * await createTrainer({ model, data, loss, schedule, maxSteps: 1000, batchSize: 32, modifiers: [patternLock, qat] }).train();
 * ```
 */
export function createQatModifier(options: QatOptions = {}): QatModifier {
  const settings = parseOptions(qatOptionsSchema, options, `${QAT_MODIFIER_KIND} options`, { rejectUnknownKeys: true });
  const { start, end, every, targets, embeddings, weights, activations } = settings;
  const freezeAfter = activations === false ? undefined : activations.freezeAfterSteps;
  let model: Module | undefined;
  let installed: InstalledFakeQuantization | undefined;

  const install = (target: Module): InstalledFakeQuantization => {
    installed ??= installFakeQuantization(target, {
      targets,
      embeddings,
      weights,
      activations: activations === false ? false : (({ freezeAfterSteps: _, ...scheme }) => scheme)(activations),
    });
    return installed;
  };

  const modifier = createModifier({
    kind: QAT_MODIFIER_KIND,
    start,
    ...(end === undefined ? {} : { end }),
    every,
    onInitialize: (context) => {
      model = context.model;
    },
    onStart: (context) => {
      install(context.model);
      context.log({ event: `${QAT_MODIFIER_KIND}: fake quantization on`, layers: installed?.layers.length });
    },
    onUpdate: (context) => {
      if (freezeAfter !== undefined && context.step - start >= freezeAfter && installed?.layers.some((layer) => layer.input?.frozen === false)) {
        installed.freeze();
        context.log({ event: `${QAT_MODIFIER_KIND}: observers frozen` });
      }
    },
    onEnd: () => installed?.freeze(),
    state: () => ({ json: { installed: installed !== undefined, observers: installed?.observerStates() ?? {} } satisfies QatPluginState }),
    loadState: (state) => {
      const plugin = readPluginState(state.json);
      if (!plugin.installed) return;
      if (model === undefined) {
        throw new CheckpointError(`${QAT_MODIFIER_KIND}: loadState() before initialize()`, {
          hint: 'The Trainer initializes modifiers before it restores a checkpoint; call initialize({ model, ... }) first',
        });
      }
      install(model).loadObserverStates(plugin.observers);
    },
  });

  return Object.defineProperties(modifier, {
    installed: { get: () => installed, enumerable: true },
    activationRanges: { value: () => installed?.activationRanges() ?? {}, enumerable: true },
  }) as QatModifier;
}
