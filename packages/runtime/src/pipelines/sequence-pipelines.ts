import type { TextPair as TokenizerPair } from '@pofa/models';
import { ConfigError } from '@pofa/core';
import { forwardInBatches, type PipelineModel } from './pipeline-model';

/** One label of a classification with its probability (softmax over the head's outputs). */
export interface ClassificationLabel {
  label: string;
  score: number;
}

/** A regression head's prediction, in the units of the training labels. */
export interface RegressionValue {
  value: number;
}

/**
 * Encodes texts or pairs (truncated to `model.maxLength`, longest first) and returns the head's
 * outputs per input as rows of `width` values.
 *
 * @example
 * ```ts
 * const rows = await sequenceLogits(model, ['hello'], 2); // [Float32Array [0.3, -0.1]]
 * ```
 */
export async function sequenceLogits(model: PipelineModel, inputs: ReadonlyArray<string | TokenizerPair>, width: number): Promise<Float32Array[]> {
  const encodings = await model.tokenizer.encodeBatch(inputs, { maxLength: model.maxLength, truncation: 'longest_first' });
  const rows: Float32Array[] = [];
  for (const { logits, count } of forwardInBatches(model, encodings)) {
    for (let row = 0; row < count; row++) rows.push(logits.slice(row * width, (row + 1) * width));
  }
  return rows;
}

/**
 * The `topK` most probable labels of one row of logits, most probable first (softmax in float64;
 * ties keep the label order).
 *
 * @example
 * ```ts
 * topLabels(new Float32Array([0, Math.log(3)]), ['ham', 'spam'], 1); // [{ label: 'spam', score: 0.75 }]
 * ```
 */
export function topLabels(logits: ArrayLike<number>, labels: readonly string[], topK: number): ClassificationLabel[] {
  if (!Number.isInteger(topK) || topK < 1) throw new ConfigError('Invalid topK', { expected: 'a positive integer', received: String(topK) });
  let max = Number.NEGATIVE_INFINITY;
  for (let index = 0; index < logits.length; index++) max = Math.max(max, logits[index]);
  const exps = Array.from(logits, (value) => Math.exp(value - max));
  const total = exps.reduce((sum, value) => sum + value, 0);
  return labels
    .map((label, index) => ({ label, score: exps[index] / total }))
    .sort((left, right) => right.score - left.score)
    .slice(0, topK);
}
