import { ConfigError, tf, writeFileAtomic } from '@pofa/core';
import type { EncoderModel } from '@pofa/models';
import type { EncoderRuntime } from '@pofa/sparse-kernels';
import { createSquadFeatures, postprocessSquad, squadScores, type SquadExample, type TokenizerLike } from '@pofa/tasks';
import { requireSpanLogits, SPAN_EXAMPLE_CHUNK, spanWindowRows, type SpanWindowOptions, type SpanWindowRows } from './span-training';

/** Options of {@link evaluateSquadModel} and {@link evaluateSquadRuntime}: the windows, the batch and the answer search. */
export interface SquadEvaluationOptions extends SpanWindowOptions {
  /** Windows per forward pass (default 32). */
  batchSize?: number;
  /** Start and end candidates per window (default 20). */
  nBest?: number;
  /** Longest answer in tokens (default 30). */
  maxAnswerLength?: number;
}

/** The official SQuAD v1.1 scores of a model (fractions in [0, 1]) with its answers. */
export interface SquadEvaluation {
  exactMatch: number;
  f1: number;
  /** The same two under the names of the task spec (`exact_match`, `f1`), as report rows read metrics. */
  metrics: { exact_match: number; f1: number };
  /** F1, the paper's SQuAD metric. */
  primary: number;
  primaryMetric: 'f1';
  numExamples: number;
  /** Windows scored (a long context gives several). */
  numWindows: number;
  /** Question id → answer text, what `predictions.json` holds. */
  predictions: Record<string, string>;
}

/** Start and end logits `[rows, length]` of a batch of windows. */
type SpanLogitsOf = (rows: SpanWindowRows) => Promise<{ start: Float32Array; end: Float32Array }>;

async function evaluateSpans(examples: readonly SquadExample[], tokenizer: TokenizerLike, options: SquadEvaluationOptions, logitsOf: SpanLogitsOf): Promise<SquadEvaluation> {
  const { batchSize = 32, maxLength = 384, docStride = 128, maxQueryLength = 64, nBest = 20, maxAnswerLength = 30 } = options;
  if (examples.length === 0) {
    throw new ConfigError('No SQuAD questions to score', { expected: 'a non-empty split (the task\'s test split is the dev set)', received: 'an empty split' });
  }
  const predictions: Record<string, string> = {};
  let numWindows = 0;
  for (let first = 0; first < examples.length; first += SPAN_EXAMPLE_CHUNK) {
    // Every window of an example is in the same chunk, so each chunk is post-processed whole.
    const features = createSquadFeatures(examples.slice(first, first + SPAN_EXAMPLE_CHUNK), tokenizer, { maxSeqLength: maxLength, docStride, maxQueryLength });
    const starts: Float32Array[] = [];
    const ends: Float32Array[] = [];
    for (let index = 0; index < features.length; index += batchSize) {
      const rows = spanWindowRows(features.slice(index, index + batchSize));
      const { start, end } = await logitsOf(rows);
      for (let row = 0; row < rows.rows; row++) {
        starts.push(start.subarray(row * rows.length, (row + 1) * rows.length));
        ends.push(end.subarray(row * rows.length, (row + 1) * rows.length));
      }
    }
    Object.assign(predictions, postprocessSquad(features, starts, ends, { nBest, maxAnswerLength }));
    numWindows += features.length;
  }
  const { exactMatch, f1 } = squadScores(predictions, examples);
  return { exactMatch, f1, metrics: { exact_match: exactMatch, f1 }, primary: f1, primaryMetric: 'f1', numExamples: examples.length, numWindows, predictions };
}

/**
 * Scores a span question-answering model of `@pofa/models` on SQuAD questions as the official
 * v1.1 script does: windows from `createSquadFeatures` (384 tokens, stride 128), start and end
 * logits per window (forward passes without gradients, each inside `tf.tidy`), the best span
 * over all windows of a question by `postprocessSquad` (n-best 20, at most 30 tokens), then
 * exact match and F1 by `squadScores`. `tokenizer` must have prepared these examples
 * (`prepareSquadTokenizer`).
 *
 * @example
 * ```ts
 * const { exactMatch, f1, predictions } = await evaluateSquadModel(model, task.test, await prepareSquadTokenizer(bert, task.test), { batchSize: 32 });
 * await writeSquadPredictions('out/predictions.json', predictions);
 * ```
 */
export async function evaluateSquadModel(model: EncoderModel, examples: readonly SquadExample[], tokenizer: TokenizerLike, options: SquadEvaluationOptions = {}): Promise<SquadEvaluation> {
  model.eval();
  return evaluateSpans(examples, tokenizer, options, async (rows) => {
    const [start, end] = tf.tidy(() => {
      const matrix = (values: Int32Array): tf.Tensor2D => tf.tensor2d(values, [rows.rows, rows.length], 'int32');
      const outputs = model.forward({ inputIds: matrix(rows.inputIds), attentionMask: matrix(rows.attentionMask), tokenTypeIds: matrix(rows.tokenTypeIds) });
      const { startLogits, endLogits } = requireSpanLogits(outputs, 'The model');
      return [startLogits, endLogits];
    });
    try {
      return { start: (await start.data()) as Float32Array, end: (await end.data()) as Float32Array };
    } finally {
      start.dispose();
      end.dispose();
    }
  });
}

/**
 * Scores a `.pofa` bundle with a span question-answering head (the deployed model) on SQuAD
 * questions: the same windows, answer search and official metrics as {@link evaluateSquadModel},
 * from the runtime's `[batch, seq, 2]` logits.
 *
 * @example
 * ```ts
 * const runtime = await loadBundle('squad-sparse-int8.pofa');
 * const { f1 } = await evaluateSquadRuntime(runtime, task.test, await prepareSquadTokenizer(bert, task.test));
 * ```
 */
export async function evaluateSquadRuntime(runtime: EncoderRuntime, examples: readonly SquadExample[], tokenizer: TokenizerLike, options: SquadEvaluationOptions = {}): Promise<SquadEvaluation> {
  if (runtime.config.task !== 'question-answering') {
    throw new ConfigError('The bundle cannot answer SQuAD questions', {
      expected: 'a bundle with a question-answering (span) head',
      received: `a ${runtime.config.task} head`,
      hint: 'Export the model after transfer to SQuAD (pofa export --format pofa)',
    });
  }
  return evaluateSpans(examples, tokenizer, options, async (rows) => {
    const shape = [rows.rows, rows.length] as const;
    const { logits } = runtime.run({ inputIds: { data: rows.inputIds, shape }, attentionMask: { data: rows.attentionMask, shape }, tokenTypeIds: { data: rows.tokenTypeIds, shape } });
    const cells = rows.rows * rows.length;
    if (logits === undefined || logits.length !== cells * 2) {
      throw new ConfigError('The bundle returned no span logits', { expected: `[${rows.rows}, ${rows.length}, 2] logits`, received: `${logits?.length ?? 0} values` });
    }
    const start = new Float32Array(cells);
    const end = new Float32Array(cells);
    for (let cell = 0; cell < cells; cell++) {
      start[cell] = logits[2 * cell];
      end[cell] = logits[2 * cell + 1];
    }
    return { start, end };
  });
}

/**
 * Writes answers as the official SQuAD v1.1 `predictions.json` (question id → answer text, what
 * `evaluate-v1.1.py dev-v1.1.json predictions.json` reads), atomically.
 *
 * @example
 * ```ts
 * await writeSquadPredictions('pofa-out/squad/predictions.json', evaluation.predictions);
 * ```
 */
export async function writeSquadPredictions(path: string, predictions: Readonly<Record<string, string>>): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(predictions, null, 2)}\n`);
}
