import { bestSquadSpans, createSquadFeatures, type SquadPostprocessFeature } from '@pofa/tasks';
import { PipelineError } from '../pipeline-error';
import { prepareSquadTokenizer } from '../squad-tokenizer';
import type { QuestionContext } from './pipeline-inputs';
import { forwardInBatches, type PipelineModel } from './pipeline-model';

/** An extractive answer: `context.slice(start, end) === answer`. */
export interface Answer {
  answer: string;
  /** Probability of the span in its window: softmax of the start logits over the window's context tokens times that of the end logits. */
  score: number;
  /** `[start, end)` UTF-16 indices of the answer in the context. */
  start: number;
  end: number;
}

/** Softmax probability of `index` among the `positions` of `logits` (float64). */
function probabilityAmong(logits: ArrayLike<number>, positions: readonly number[], index: number): number {
  const max = Math.max(...positions.map((position) => logits[position]));
  const total = positions.reduce((sum, position) => sum + Math.exp(logits[position] - max), 0);
  return Math.exp(logits[index] - max) / total;
}

/**
 * Answers questions from their contexts with a span head, as `@pofa/tasks`' SQuAD evaluation
 * does: windows of `model.maxLength` tokens from `createSquadFeatures` (long contexts split with
 * the bundle's `docStride`, questions cut to `maxQueryLength` or shorter when a window would
 * otherwise hold no more context than the stride), start and end logits per
 * window in batches, and the best span over all windows by `bestSquadSpans` (n-best 20, at most
 * `maxAnswerLength` tokens). A question with no valid span gets `{ answer: '', score: 0, start: 0, end: 0 }`.
 *
 * @example
 * ```ts
 * const [answer] = await answerQuestions(model, [{ question: 'Who?', context: 'Call me Ishmael.' }]);
 * ```
 */
export async function answerQuestions(model: PipelineModel, questions: readonly QuestionContext[]): Promise<Answer[]> {
  const { task } = model;
  if (task.kind !== 'span') throw new PipelineError('The bundle cannot answer questions', { expected: 'a span (question-answering) task', received: `a ${task.kind} task` });
  const examples = questions.map(({ question, context }, index) => ({ id: String(index), title: '', question, context, answers: [] }));
  const tokenizer = await prepareSquadTokenizer(model.tokenizer, examples);
  // The stored stride, with questions cut so that every window still holds more context than the stride.
  const docStride = Math.min(task.docStride, model.maxLength - 5);
  const maxQueryLength = Math.max(1, Math.min(task.maxQueryLength, model.maxLength - 4 - docStride));
  const features = createSquadFeatures(examples, tokenizer, { maxSeqLength: model.maxLength, docStride, maxQueryLength });
  // Windows arrive padded to maxLength: cut each at its last token, the batches pad again to their longest.
  const rows = features.map((feature) => {
    const length = feature.attentionMask.lastIndexOf(1) + 1;
    return { inputIds: feature.inputIds.slice(0, length), tokenTypeIds: feature.tokenTypeIds.slice(0, length), offsets: feature.offsets.slice(0, length) };
  });
  const starts: Float32Array[] = [];
  const ends: Float32Array[] = [];
  for (const { logits, seq, first, count } of forwardInBatches(model, rows)) {
    for (let row = 0; row < count; row++) {
      const length = rows[first + row].inputIds.length;
      const start = new Float32Array(length);
      const end = new Float32Array(length);
      for (let token = 0; token < length; token++) {
        start[token] = logits[2 * (row * seq + token)];
        end[token] = logits[2 * (row * seq + token) + 1];
      }
      starts.push(start);
      ends.push(end);
    }
  }
  const trimmed: SquadPostprocessFeature[] = features.map((feature, index) => ({ exampleId: feature.exampleId, context: feature.context, offsets: rows[index].offsets }));
  const spans = bestSquadSpans(trimmed, starts, ends, { maxAnswerLength: task.maxAnswerLength });
  return examples.map(({ id }) => {
    const span = spans.get(id);
    if (span === undefined) return { answer: '', score: 0, start: 0, end: 0 };
    const contextTokens = rows[span.featureIndex].offsets.flatMap((offset, token) => (offset === null ? [] : [token]));
    const score = probabilityAmong(starts[span.featureIndex], contextTokens, span.startToken) * probabilityAmong(ends[span.featureIndex], contextTokens, span.endToken);
    return { answer: span.text, score, start: span.start, end: span.end };
  });
}
