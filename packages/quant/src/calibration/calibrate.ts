import { parseOptions, tf, type Module } from '@pofa/core';
import { z } from 'zod';
import { QuantizationError } from '../errors/quantization-error';
import { OBSERVER_KINDS } from '../observers/observer-options';
import { inputFakeQuantOptionsSchema } from '../qat/input-fake-quantize';
import { installFakeQuantization, weightSchemeSchema, type InstalledFakeQuantization } from '../qat/install-fake-quantization';
import { targetOptionsSchema } from '../qat/quant-targets';

/** Input ranges by Linear module path, as `exportInt8` takes them. */
export type ActivationRanges = Record<string, { min: number; max: number }>;

/**
 * Options of post-training quantization: the layers, the weight scheme, and the input scheme
 * with its observer (`min-max` by default; `percentile` and `mse` clip outliers).
 *
 * @example
 * ```ts
 * postTrainingOptionsSchema.parse({ observer: 'percentile', activations: { percentile: 99.9 } });
 * ```
 */
export const postTrainingOptionsSchema = z
  .object({
    observer: z.enum(OBSERVER_KINDS).default('min-max'),
    targets: targetOptionsSchema.optional(),
    embeddings: z.boolean().default(false),
    weights: weightSchemeSchema.default({}),
    activations: inputFakeQuantOptionsSchema.omit({ observer: true }).default({}),
    /** Stop after this many batches (default: all of them). */
    maxBatches: z.number().int().positive().optional(),
  })
  .strict();

/**
 * Options of {@link calibrate}: the scheme, and how to run the model on one batch.
 *
 * @example
 * ```ts
 * const options: CalibrateOptions<BertModel, TextBatch> = { observer: 'percentile', forward: (model, batch) => model.forward(batch) };
 * ```
 */
export type CalibrateOptions<M extends Module, B> = z.input<typeof postTrainingOptionsSchema> & {
  /** Runs the model on a batch; called inside `tf.tidy` (whatever it returns is disposed). */
  forward: (model: M, batch: B) => unknown;
};

/** What {@link calibrate} returns. */
export interface CalibrationResult {
  /** Input ranges by Linear module path, the `activationRanges` of `exportInt8`. */
  activationRanges: ActivationRanges;
  /** Batches run. */
  batches: number;
  /** The frozen fake quantization now on the model (`remove()` takes it off). */
  installed: InstalledFakeQuantization;
}

function parseSettings(options: object, where: string) {
  return parseOptions(postTrainingOptionsSchema, options, where, { rejectUnknownKeys: true });
}

/**
 * Installs frozen fake quantization for evaluation from known input ranges (from
 * {@link calibrate} or a QAT run): a weight fake-quantizer after each target weight's
 * transforms, and an input fake-quantizer whose observer is frozen at the given range on each
 * target Linear. Every target Linear needs a range.
 *
 * @example
 * ```ts
 * const installed = applyPostTrainingQuantization(model, { activationRanges: saved, weights: { perChannel: true } });
 * const accuracy = evaluateModel(model.eval());
 * installed.remove();
 * ```
 */
export function applyPostTrainingQuantization(
  model: Module,
  options: z.input<typeof postTrainingOptionsSchema> & { activationRanges: ActivationRanges },
): InstalledFakeQuantization {
  const { activationRanges, ...rest } = options;
  const settings = parseSettings(rest, 'applyPostTrainingQuantization options');
  const installed = installFakeQuantization(model, {
    targets: settings.targets,
    embeddings: settings.embeddings,
    weights: settings.weights,
    activations: { ...settings.activations, observer: settings.observer },
  });
  const missing = installed.layers.filter((layer) => layer.input !== undefined && activationRanges[layer.target.modulePath] === undefined);
  if (missing.length > 0) {
    installed.remove();
    throw new QuantizationError('No input range for some quantized layers', {
      expected: `activationRanges for ${installed.layers.map((layer) => layer.target.modulePath).join(', ')}`,
      received: `none for ${missing.map((layer) => layer.target.modulePath).join(', ')}`,
      hint: 'Calibrate with the same targets, or pass targets matching the ranges you have',
    });
  }
  const states = Object.fromEntries(
    installed.layers
      .filter((layer) => layer.input !== undefined)
      .map(({ target, input }) => {
        const { min, max } = activationRanges[target.modulePath];
        return [target.modulePath, { kind: input!.observer.kind, count: 1, frozen: true, min: [min], max: [max] }];
      }),
  );
  installed.loadObserverStates(states);
  return installed;
}

/**
 * Post-training static quantization: runs `batches` through the model in eval mode with an
 * observer on the input of every target Linear (weights still float, as PyTorch's calibration),
 * then installs frozen fake quantization of weights and inputs ({@link applyPostTrainingQuantization})
 * so the model evaluates as its int8 version would. Batches with a `dispose()` method (a
 * `TextBatch`) are disposed after use. The model's train/eval mode is restored.
 *
 * @example
 * ```ts
 * const { activationRanges } = calibrate(model, batcher.batches(), {
 *   observer: 'percentile',
 *   forward: (model, batch) => model.forward(batch),
 *   maxBatches: 16,
 * });
 * const { tensors, metadata } = exportInt8(model, { activationRanges });
 * ```
 */
export function calibrate<M extends Module, B>(model: M, batches: Iterable<B>, options: CalibrateOptions<M, B>): CalibrationResult {
  const { forward, ...rest } = options;
  if (typeof forward !== 'function') {
    throw new QuantizationError('calibrate needs a forward function', { expected: '(model, batch) => outputs', received: typeof forward });
  }
  const settings = parseSettings(rest, 'calibrate options');
  const observing = installFakeQuantization(model, {
    targets: settings.targets,
    weights: false,
    activations: { ...settings.activations, observer: settings.observer },
    mode: 'calibrate',
  });
  const wasTraining = model.training;
  let count = 0;
  let activationRanges: ActivationRanges;
  try {
    model.eval();
    for (const batch of batches) {
      try {
        tf.tidy(() => {
          forward(model, batch);
        });
      } finally {
        (batch as { dispose?: () => void } | null)?.dispose?.();
      }
      count++;
      if (settings.maxBatches !== undefined && count >= settings.maxBatches) break;
    }
    if (count === 0) {
      throw new QuantizationError('calibrate got no batches', { expected: 'at least one batch', received: 'an empty iterable' });
    }
    activationRanges = observing.activationRanges();
  } finally {
    observing.remove();
    model.train(wasTraining);
  }
  const installed = applyPostTrainingQuantization(model, { ...rest, activationRanges });
  return { activationRanges, batches: count, installed };
}
