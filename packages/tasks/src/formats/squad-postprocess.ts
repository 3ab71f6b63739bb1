import { z } from 'zod';
import { ConfigError, ShapeError } from '@pofa/core';
import type { SquadFeature } from './squad-features';

/**
 * Options of {@link postprocessSquad}.
 *
 * @example
 * ```ts
 * SquadPostprocessOptionsSchema.parse({}); // { nBest: 20, maxAnswerLength: 30 }
 * ```
 */
export const SquadPostprocessOptionsSchema = z
  .object({
    /** Start and end candidates considered per window: the `nBest` highest logits of each. */
    nBest: z.number().int().positive().default(20),
    /** Longest answer, in tokens. */
    maxAnswerLength: z.number().int().positive().default(30),
  })
  .strict();

/** Options of {@link postprocessSquad}, as the caller writes them. */
export type SquadPostprocessOptions = z.input<typeof SquadPostprocessOptionsSchema>;

/** Only what {@link postprocessSquad} reads of a {@link SquadFeature}. */
export type SquadPostprocessFeature = Pick<SquadFeature, 'exampleId' | 'context' | 'offsets'>;

/**
 * Picks each example's answer text from the span logits of its windows, as Hugging Face's
 * `postprocess_qa_predictions` (SQuAD v1.1): in every window, pair the `nBest` highest start
 * logits with the `nBest` highest end logits, keep pairs where both tokens are context tokens,
 * the end is not before the start and the span is at most `maxAnswerLength` tokens, score them
 * by start + end logit, and return the best span's text cut from the context by the token
 * offsets. An example with no valid span gets `''` (HF writes the placeholder `'empty'`).
 *
 * @example
 * ```ts
 * const predictions = postprocessSquad(features, startLogits, endLogits, { nBest: 20, maxAnswerLength: 30 });
 * squadScores(predictions, examples); // { exactMatch, f1, missing: 0 }
 * ```
 */
export function postprocessSquad(
  features: readonly SquadPostprocessFeature[],
  startLogits: ReadonlyArray<ArrayLike<number>>,
  endLogits: ReadonlyArray<ArrayLike<number>>,
  options: SquadPostprocessOptions = {},
): Record<string, string> {
  const parsed = SquadPostprocessOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new ConfigError('postprocessSquad: invalid options', {
      expected: '{ nBest?: positive integer, maxAnswerLength?: positive integer }',
      received: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
    });
  }
  const { nBest, maxAnswerLength } = parsed.data;
  if (startLogits.length !== features.length || endLogits.length !== features.length) {
    throw new ShapeError('postprocessSquad: one row of start and end logits per feature', {
      expected: `${features.length} rows of start and of end logits`,
      received: `${startLogits.length} start rows and ${endLogits.length} end rows`,
    });
  }
  const best = new Map<string, { score: number; text: string }>();
  features.forEach((feature, featureIndex) => {
    const starts = startLogits[featureIndex];
    const ends = endLogits[featureIndex];
    if (starts.length !== feature.offsets.length || ends.length !== feature.offsets.length) {
      throw new ShapeError(`postprocessSquad: logits of feature ${featureIndex} do not match its tokens`, {
        expected: `${feature.offsets.length} start and end logits (the window length)`,
        received: `${starts.length} start and ${ends.length} end logits`,
      });
    }
    if (!best.has(feature.exampleId)) best.set(feature.exampleId, { score: Number.NEGATIVE_INFINITY, text: '' });
    const current = best.get(feature.exampleId) as { score: number; text: string };
    const endCandidates = topIndices(ends, nBest);
    for (const startIndex of topIndices(starts, nBest)) {
      const startOffset = feature.offsets[startIndex];
      if (startOffset === null) continue;
      for (const endIndex of endCandidates) {
        const endOffset = feature.offsets[endIndex];
        if (endOffset === null || endIndex < startIndex || endIndex - startIndex + 1 > maxAnswerLength) continue;
        const score = starts[startIndex] + ends[endIndex];
        if (score > current.score) {
          current.score = score;
          current.text = feature.context.slice(startOffset[0], endOffset[1]);
        }
      }
    }
  });
  const predictions: Record<string, string> = {};
  for (const [exampleId, { text }] of best) predictions[exampleId] = text;
  return predictions;
}

/** Indices of the `count` largest values, largest first (ties: lower index first). */
function topIndices(values: ArrayLike<number>, count: number): number[] {
  const indices = Array.from({ length: values.length }, (_, index) => index);
  indices.sort((left, right) => values[right] - values[left] || left - right);
  return indices.slice(0, count);
}
