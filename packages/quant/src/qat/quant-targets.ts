import { ENCODER_LINEAR_WEIGHTS, Linear, matchesTarget, selectTargets, type Module, type Parameter, type TargetOptions, type TargetPattern } from '@pofa/core';
import { z } from 'zod';

/**
 * The task heads quantized with the encoder: the classifier (and DistilBERT's pre-classifier)
 * and the span QA output.
 *
 * @example
 * ```ts
 * selectTargets(model, { include: [...ENCODER_LINEAR_WEIGHTS, ...TASK_HEAD_WEIGHTS] });
 * ```
 */
export const TASK_HEAD_WEIGHTS: readonly string[] = ['**.classifier.weight', '**.pre_classifier.weight', '**.qa_outputs.weight'];

/**
 * The weights QAT and calibration quantize by default: every encoder Linear layer and the task
 * head, as in the Prune OFA code and Q8BERT.
 *
 * @example
 * ```ts
 * const withPooler = [...QUANTIZED_LINEAR_WEIGHTS, POOLER_WEIGHT];
 * ```
 */
export const QUANTIZED_LINEAR_WEIGHTS: readonly string[] = [...ENCODER_LINEAR_WEIGHTS, ...TASK_HEAD_WEIGHTS];

/**
 * The embedding tables Q8BERT quantizes to 8 bits (weights only; BERT and DistilBERT names).
 *
 * @example
 * ```ts
 * selectTargets(model, { include: EMBEDDING_WEIGHTS });
 * ```
 */
export const EMBEDDING_WEIGHTS: readonly string[] = [
  '**.embeddings.word_embeddings.weight',
  '**.embeddings.position_embeddings.weight',
  '**.embeddings.token_type_embeddings.weight',
];

/**
 * A zod schema of {@link TargetOptions}: glob strings (or RegExps, in code) to include and exclude.
 *
 * @example
 * ```ts
 * targetOptionsSchema.parse({ include: ['**.intermediate.dense.weight'] });
 * ```
 */
export const targetOptionsSchema = z
  .object({
    include: z.array(z.union([z.string(), z.instanceof(RegExp)])).min(1).optional(),
    exclude: z.array(z.union([z.string(), z.instanceof(RegExp)])).optional(),
  })
  .strict();

/** One weight to quantize: its dotted name, the parameter, and the Linear that owns it (if any). */
export interface QuantTarget {
  name: string;
  parameter: Parameter;
  /** The module path of the owning Linear (`encoder.layer.0.attention.self.query`). */
  modulePath: string;
  /** The Linear whose input is quantized; undefined for embedding tables. */
  linear?: Linear;
}

/**
 * The Linear weights to quantize (default {@link QUANTIZED_LINEAR_WEIGHTS}) with their layers,
 * plus the embedding tables when `embeddings` is true. A pattern list that matches nothing is a
 * `ConfigError` (core's `selectTargets`).
 *
 * @example
 * ```ts
 * for (const { modulePath, linear } of quantTargets(model)) console.log(modulePath, linear?.inFeatures);
 * ```
 */
export function quantTargets(model: Module, targets: TargetOptions = {}, embeddings = false): QuantTarget[] {
  const include: readonly TargetPattern[] = targets.include ?? QUANTIZED_LINEAR_WEIGHTS;
  const selected = selectTargets(model, { include, exclude: targets.exclude });
  const out: QuantTarget[] = selected.map(([name, parameter]) => {
    const modulePath = name.replace(/\.weight$/, '');
    const owner = model.getModule(modulePath);
    return { name, parameter, modulePath, ...(owner instanceof Linear && owner.weight === parameter ? { linear: owner } : {}) };
  });
  if (embeddings) {
    const chosen = new Set(out.map((target) => target.name));
    const tables = model.namedParameters().filter(([name]) => EMBEDDING_WEIGHTS.some((pattern) => matchesTarget(name, pattern)) && !chosen.has(name));
    for (const [name, parameter] of tables) out.push({ name, parameter, modulePath: name.replace(/\.weight$/, '') });
  }
  return out;
}
