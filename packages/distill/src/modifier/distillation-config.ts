import { z } from 'zod';
import { projectionOptionsSchema } from '../projection/create-projection';
import { scheduledValueSchema } from './scheduled-value';

/**
 * The features an intermediate match can compare: `hidden[layer]` (0 = embeddings),
 * `embeddings` (= `hidden[0]`), and the per-layer `attentionScores`, `attentionProbs`,
 * `values` of layer `layer` (1-based).
 */
export const DISTILLATION_FEATURES = ['hidden', 'attentionScores', 'attentionProbs', 'values', 'embeddings'] as const;

/** One of {@link DISTILLATION_FEATURES}. */
export type DistillationFeature = (typeof DISTILLATION_FEATURES)[number];

const nonNegative = (value: number | { from: number; to: number }) =>
  typeof value === 'number' ? value >= 0 : value.from >= 0 && value.to >= 0;
const positive = (value: number | { from: number; to: number }) =>
  typeof value === 'number' ? value > 0 : value.from > 0 && value.to > 0;
const weightSchema = scheduledValueSchema.refine(nonNegative, 'a weight ≥ 0 (or a ramp between weights ≥ 0)');

/**
 * One intermediate match (TextBrewer's `intermediate_matches`): student layer `studentLayer`
 * learns feature `feature` of teacher layer `teacherLayer` with the registered loss `loss`,
 * weighted by `weight`, through an optional projection for a narrower student.
 *
 * @example
 * ```ts
 * intermediateMatchSchema.parse({ studentLayer: 2, teacherLayer: 6, feature: 'hidden', loss: 'distill/hidden-mse',
 *   projection: { studentDim: 312, teacherDim: 768 } });
 * ```
 */
export const intermediateMatchSchema = z.object({
  studentLayer: z.number().int().nonnegative(),
  teacherLayer: z.number().int().nonnegative(),
  feature: z.enum(DISTILLATION_FEATURES),
  loss: z.string(),
  weight: weightSchema.default(1),
  options: z.record(z.unknown()).default({}),
  projection: projectionOptionsSchema
    .extend({ studentDim: z.number().int().positive(), teacherDim: z.number().int().positive() })
    .optional(),
});

/**
 * A distillation run as data: total = hardWeight · (task loss) + softWeight · softLoss(student
 * logits, teacher logits; temperature) + Σ weight · intermediate losses. Temperatures and
 * weights may be ramps over steps. Active for `start ≤ step < end`.
 *
 * @example
 * ```ts
 * distillationConfigSchema.parse({ temperature: 2, hardWeight: 0.5, softWeight: 0.5 }); // Prune OFA
 * ```
 */
export const distillationConfigSchema = z.object({
  temperature: scheduledValueSchema.refine(positive, 'a temperature > 0 (or a ramp between temperatures > 0)').default(1),
  hardWeight: weightSchema.default(0),
  softWeight: weightSchema.default(1),
  softLoss: z.string().default('distill/kd-kl-divergence'),
  intermediate: z.array(intermediateMatchSchema).default([]),
  start: z.number().int().nonnegative().default(0),
  end: z.number().int().positive().optional(),
});

/** A validated distillation config (defaults applied). */
export type DistillationConfig = z.output<typeof distillationConfigSchema>;

/** A distillation config as written by hand (defaults optional). */
export type DistillationConfigInput = z.input<typeof distillationConfigSchema>;

/** A validated intermediate match. */
export type IntermediateMatch = z.output<typeof intermediateMatchSchema>;
