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

/** The best span of one example (see {@link bestSquadSpans}). */
export interface SquadSpan {
  /** The answer text, cut from the context by the token offsets. */
  text: string;
  /** `[start, end)` characters of the answer in the context. */
  start: number;
  end: number;
  /** Start logit plus end logit of the span. */
  logitScore: number;
  /** Index of the window (in the features given) the span was found in. */
  featureIndex: number;
  /** Token indices of the span's first and last token in that window. */
  startToken: number;
  endToken: number;
}

/**
 * Picks each example's best answer span from the span logits of its windows, as Hugging Face's
 * `postprocess_qa_predictions` (SQuAD v1.1): in every window, pair the `nBest` highest start
 * logits with the `nBest` highest end logits, keep pairs where both tokens are context tokens,
 * the end is not before the start and the span is at most `maxAnswerLength` tokens, score them
 * by start + end logit, and keep the best over all windows of the example. An example with no
 * valid span is absent from the map.
 *
 * @example
 * ```ts
 * const spans = bestSquadSpans(features, startLogits, endLogits, { nBest: 20, maxAnswerLength: 30 });
 * spans.get('q1'); // { text: 'Melville', start: 0, end: 8, logitScore: 7.1, featureIndex: 0, startToken: 9, endToken: 10 }
 * ```
 */
export function bestSquadSpans(
  features: readonly SquadPostprocessFeature[],
  startLogits: ReadonlyArray<ArrayLike<number>>,
  endLogits: ReadonlyArray<ArrayLike<number>>,
  options: SquadPostprocessOptions = {},
): Map<string, SquadSpan> {
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
  const best = new Map<string, SquadSpan>();
  features.forEach((feature, featureIndex) => {
    const starts = startLogits[featureIndex];
    const ends = endLogits[featureIndex];
    if (starts.length !== feature.offsets.length || ends.length !== feature.offsets.length) {
      throw new ShapeError(`postprocessSquad: logits of feature ${featureIndex} do not match its tokens`, {
        expected: `${feature.offsets.length} start and end logits (the window length)`,
        received: `${starts.length} start and ${ends.length} end logits`,
      });
    }
    const endCandidates = topIndices(ends, nBest);
    for (const startIndex of topIndices(starts, nBest)) {
      const startOffset = feature.offsets[startIndex];
      if (startOffset === null) continue;
      for (const endIndex of endCandidates) {
        const endOffset = feature.offsets[endIndex];
        if (endOffset === null || endIndex < startIndex || endIndex - startIndex + 1 > maxAnswerLength) continue;
        const logitScore = starts[startIndex] + ends[endIndex];
        if (logitScore > (best.get(feature.exampleId)?.logitScore ?? Number.NEGATIVE_INFINITY)) {
          const [start, end] = [startOffset[0], endOffset[1]];
          best.set(feature.exampleId, { text: feature.context.slice(start, end), start, end, logitScore, featureIndex, startToken: startIndex, endToken: endIndex });
        }
      }
    }
  });
  return best;
}

/**
 * Each example's answer text (see {@link bestSquadSpans}); an example with no valid span gets
 * `''` (HF writes the placeholder `'empty'`).
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
  const spans = bestSquadSpans(features, startLogits, endLogits, options);
  const predictions: Record<string, string> = {};
  for (const { exampleId } of features) predictions[exampleId] = spans.get(exampleId)?.text ?? '';
  return predictions;
}

/** Indices of the `count` largest values, largest first (ties: lower index first). */
function topIndices(values: ArrayLike<number>, count: number): number[] {
  const indices = Array.from({ length: values.length }, (_, index) => index);
  indices.sort((left, right) => values[right] - values[left] || left - right);
  return indices.slice(0, count);
}
