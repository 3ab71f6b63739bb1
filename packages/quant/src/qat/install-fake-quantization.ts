import { type Module, type TargetOptions } from '@pofa/core';
import { z } from 'zod';
import type { ObserverState } from '../observers/create-observer';
import { createWeightFakeQuantTransform, type WeightFakeQuantTransform } from '../primitives/weight-fake-quant-transform';
import { QuantizationError } from '../errors/quantization-error';
import { createInputFakeQuantTransform, inputFakeQuantOptionsSchema, type InputFakeQuantMode, type InputFakeQuantTransform } from './input-fake-quantize';
import { quantTargets, type QuantTarget } from './quant-targets';

/**
 * The weight scheme of QAT and calibration. Per tensor by default, as the official Prune OFA
 * code (Q8BERT-style symmetric int8 in [−127, 127]); `perChannel` gives one scale per output
 * row, `groupSize` one per group of rows (Q-BERT).
 *
 * @example
 * ```ts
 * weightSchemeSchema.parse({}); // { bits: 8, symmetric: true, perChannel: false, narrowRange: true }
 * ```
 */
export const weightSchemeSchema = z
  .object({
    bits: z.number().int().default(8),
    symmetric: z.boolean().default(true),
    perChannel: z.boolean().default(false),
    narrowRange: z.boolean().default(true),
    groupSize: z.number().int().positive().optional(),
  })
  .strict();

/**
 * The weight scheme, as the caller writes it.
 *
 * @example
 * ```ts
 * const scheme: WeightScheme = { bits: 8, perChannel: true };
 * ```
 */
export type WeightScheme = z.input<typeof weightSchemeSchema>;

/** Options of {@link installFakeQuantization}. */
export interface InstallFakeQuantizationOptions {
  targets?: TargetOptions;
  /** Also fake-quantize the embedding tables (weights only, per tensor), as Q8BERT. */
  embeddings?: boolean;
  /** The weight scheme; `false` leaves weights in float (calibration observes float layers). */
  weights?: WeightScheme | false;
  /** The input scheme and observer; `false` leaves activations in float. */
  activations?: z.input<typeof inputFakeQuantOptionsSchema> | false;
  /** `qat` (default) or `calibrate` (observe every input, pass it through). */
  mode?: InputFakeQuantMode;
}

/** One quantized weight with its transforms. */
export interface FakeQuantizedLayer {
  target: QuantTarget;
  /** The weight fake-quantizer (absent with `weights: false`). */
  weight?: WeightFakeQuantTransform;
  /** The input fake-quantizer (Linear layers with activations on). */
  input?: InputFakeQuantTransform;
}

/**
 * The fake quantization installed on a model: its layers, their observed ranges, and the way to
 * take it off again.
 *
 * @example
 * ```ts
 * const installed: InstalledFakeQuantization = installFakeQuantization(model);
 * installed.remove();
 * ```
 */
export interface InstalledFakeQuantization {
  readonly layers: readonly FakeQuantizedLayer[];
  /** Sets the mode of every input fake-quantizer. */
  setMode(mode: InputFakeQuantMode): void;
  /** Freezes every input observer. */
  freeze(): void;
  /** Input ranges by Linear module path, in the form `exportInt8` takes (observed layers only). */
  activationRanges(): Record<string, { min: number; max: number }>;
  /** The observers' states by module path. */
  observerStates(): Record<string, ObserverState>;
  /** Restores what {@link InstalledFakeQuantization.observerStates} returned. */
  loadObserverStates(states: Record<string, ObserverState>): void;
  /** Takes every transform this installation added off the model. */
  remove(): void;
}

/**
 * Adds a weight fake-quantizer to each target weight — appended to its transform chain, so a
 * pruning mask already there applies first and pruned weights stay exactly zero — and an input
 * fake-quantizer with its own observer to each target Linear.
 *
 * @example
 * ```ts
 * const installed = installFakeQuantization(model, { weights: { perChannel: true }, activations: { observer: 'ema' } });
 * console.log(installed.layers.map((layer) => layer.target.name));
 * ```
 */
export function installFakeQuantization(model: Module, options: InstallFakeQuantizationOptions = {}): InstalledFakeQuantization {
  const weights = options.weights === false ? undefined : weightSchemeSchema.parse(options.weights ?? {});
  const activations = options.activations === false ? undefined : inputFakeQuantOptionsSchema.parse(options.activations ?? {});
  const targets = quantTargets(model, options.targets, options.embeddings ?? false);
  const layers: FakeQuantizedLayer[] = [];
  for (const target of targets) {
    const layer: FakeQuantizedLayer = { target };
    if (weights !== undefined) {
      const scheme = target.linear === undefined ? { ...weights, perChannel: false, groupSize: undefined } : weights;
      layer.weight = createWeightFakeQuantTransform({
        bits: scheme.bits,
        symmetric: scheme.symmetric,
        perChannel: scheme.perChannel,
        narrowRange: scheme.narrowRange,
        ...(scheme.groupSize === undefined ? {} : { groupSize: scheme.groupSize }),
      });
      target.parameter.addTransform(layer.weight);
    }
    if (target.linear !== undefined && activations !== undefined) {
      layer.input = createInputFakeQuantTransform(activations);
      layer.input.mode = options.mode ?? 'qat';
      target.linear.addInputTransform(layer.input);
    }
    if (layer.weight !== undefined || layer.input !== undefined) layers.push(layer);
  }
  const withInputs = () => layers.filter((layer): layer is FakeQuantizedLayer & { input: InputFakeQuantTransform } => layer.input !== undefined);
  return {
    layers,
    setMode: (mode) => withInputs().forEach((layer) => (layer.input.mode = mode)),
    freeze: () => withInputs().forEach((layer) => layer.input.freeze()),
    activationRanges() {
      const ranges: Record<string, { min: number; max: number }> = {};
      for (const { target, input } of withInputs()) {
        if (input.observer.count === 0) continue;
        const { min, max } = input.observer.range();
        ranges[target.modulePath] = { min: min as number, max: max as number };
      }
      return ranges;
    },
    observerStates: () => Object.fromEntries(withInputs().map(({ target, input }) => [target.modulePath, input.observer.state()])),
    loadObserverStates(states) {
      const known = new Map(withInputs().map((layer) => [layer.target.modulePath, layer.input]));
      const unknown = Object.keys(states).filter((path) => !known.has(path));
      if (unknown.length > 0) {
        throw new QuantizationError('Observer states for layers that are not quantized', {
          expected: `states for ${[...known.keys()].join(', ')}`,
          received: unknown.join(', '),
          hint: 'Restore with the same targets as the run that saved the states',
        });
      }
      for (const [path, state] of Object.entries(states)) known.get(path)?.observer.loadState(state);
    },
    remove() {
      for (const { target, weight, input } of layers) {
        if (weight !== undefined) target.parameter.removeTransform(weight);
        if (input !== undefined) target.linear?.removeInputTransform(input);
      }
    },
  };
}
