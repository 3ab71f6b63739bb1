import { ConfigError, tf, type Module, type TrainingData, type TrainingLoss } from '@pofa/core';
import type { DistillationFeatures, DistillationTeacher } from '@pofa/distill';
import { questionAnsweringLoss, type EncoderModel, type FeatureRequest, type ModelInputs, type ModelOutputs } from '@pofa/models';
import { createSquadFeatures, type SquadExample, type SquadFeature, type TokenizerLike } from '@pofa/tasks';

/** A training batch of SQuAD windows: `[batch, seq]` int32 inputs and the `[batch]` answer token positions. */
export interface SpanBatch {
  inputIds: tf.Tensor2D;
  attentionMask: tf.Tensor2D;
  tokenTypeIds: tf.Tensor2D;
  startPositions: tf.Tensor1D;
  endPositions: tf.Tensor1D;
}

/** How SQuAD examples become windows (Hugging Face's run_qa defaults). */
export interface SpanWindowOptions {
  /** Tokens per window, special tokens and padding included (default 384). */
  maxLength?: number;
  /** Context tokens shared by consecutive windows (default 128). */
  docStride?: number;
  /** Question tokens kept (default 64). */
  maxQueryLength?: number;
}

/** Windows as flat row-major int32 matrices `[rows, length]`, as tensors and the `.pofa` runtime take them. */
export interface SpanWindowRows {
  rows: number;
  length: number;
  inputIds: Int32Array;
  attentionMask: Int32Array;
  tokenTypeIds: Int32Array;
}

/** Examples turned into windows at a time: bounds the per-window JS arrays alive at once. */
export const SPAN_EXAMPLE_CHUNK = 512;

/**
 * The inputs of SQuAD windows (from `createSquadFeatures`) as flat int32 matrices.
 *
 * @example
 * ```ts
 * const { inputIds, rows, length } = spanWindowRows(createSquadFeatures(examples, tokenizer, { maxSeqLength: 384 }));
 * ```
 */
export function spanWindowRows(features: ReadonlyArray<Pick<SquadFeature, 'inputIds' | 'attentionMask' | 'tokenTypeIds'>>): SpanWindowRows {
  const length = features[0]?.inputIds.length ?? 0;
  const rows = { rows: features.length, length, inputIds: new Int32Array(features.length * length), attentionMask: new Int32Array(features.length * length), tokenTypeIds: new Int32Array(features.length * length) };
  features.forEach((feature, row) => {
    rows.inputIds.set(feature.inputIds, row * length);
    rows.attentionMask.set(feature.attentionMask, row * length);
    rows.tokenTypeIds.set(feature.tokenTypeIds, row * length);
  });
  return rows;
}

/**
 * Training data for span question answering: every example's windows are built once with
 * `createSquadFeatures` (answer token positions labelled as Hugging Face's
 * `prepare_train_features` does; `[CLS]` when a window misses the answer) and packed into typed
 * arrays (about 6 bytes a token: 200 MB for the SQuAD v1.1 training set at 384 tokens); the
 * Trainer picks window indices (`size` is the number of windows).
 *
 * @example
 * ```ts
 * const data = squadTrainingData(task.train, await prepareSquadTokenizer(tokenizer, task.train), { maxLength: 384, docStride: 128 });
 * await trainStage({ name: 'transfer', model, data, loss: spanTrainingLoss, ... });
 * ```
 */
export function squadTrainingData(examples: readonly SquadExample[], tokenizer: TokenizerLike, options: SpanWindowOptions = {}): TrainingData<SpanBatch> {
  const { maxLength = 384, docStride = 128, maxQueryLength = 64 } = options;
  // Chunks stay as they are (6 bytes a token), found by their first window: no copy into one buffer.
  const chunks: Array<{ first: number; inputIds: Int32Array; attentionMask: Uint8Array; tokenTypeIds: Uint8Array; startPositions: Int32Array; endPositions: Int32Array }> = [];
  let size = 0;
  for (let start = 0; start < examples.length; start += SPAN_EXAMPLE_CHUNK) {
    const features = createSquadFeatures(examples.slice(start, start + SPAN_EXAMPLE_CHUNK), tokenizer, { maxSeqLength: maxLength, docStride, maxQueryLength });
    const rows = spanWindowRows(features);
    chunks.push({
      first: size,
      inputIds: rows.inputIds,
      attentionMask: Uint8Array.from(rows.attentionMask),
      tokenTypeIds: Uint8Array.from(rows.tokenTypeIds),
      startPositions: Int32Array.from(features, (feature) => feature.startPosition ?? 0),
      endPositions: Int32Array.from(features, (feature) => feature.endPosition ?? 0),
    });
    size += features.length;
  }
  const locate = (index: number): [(typeof chunks)[number], number] => {
    let low = 0;
    let high = chunks.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (chunks[middle].first <= index) low = middle;
      else high = middle - 1;
    }
    return [chunks[low], index - chunks[low].first];
  };
  const gather = (field: 'inputIds' | 'attentionMask' | 'tokenTypeIds', indices: number[]): tf.Tensor2D => {
    const values = new Int32Array(indices.length * maxLength);
    indices.forEach((index, position) => {
      const [chunk, row] = locate(index);
      values.set(chunk[field].subarray(row * maxLength, (row + 1) * maxLength), position * maxLength);
    });
    return tf.tensor2d(values, [indices.length, maxLength], 'int32');
  };
  const positions = (field: 'startPositions' | 'endPositions', indices: number[]): tf.Tensor1D =>
    tf.tensor1d(Int32Array.from(indices, (index) => {
      const [chunk, row] = locate(index);
      return chunk[field][row];
    }), 'int32');
  return {
    size,
    batch: (indices) => ({
      inputIds: gather('inputIds', indices),
      attentionMask: gather('attentionMask', indices),
      tokenTypeIds: gather('tokenTypeIds', indices),
      startPositions: positions('startPositions', indices),
      endPositions: positions('endPositions', indices),
    }),
  };
}

/**
 * The start and end logits of a model's outputs; a `ConfigError` when the model has no span
 * question-answering head.
 *
 * @example
 * ```ts
 * const { startLogits, endLogits } = requireSpanLogits(model.forward(inputs), 'The student');
 * ```
 */
export function requireSpanLogits(outputs: Pick<ModelOutputs, 'startLogits' | 'endLogits'>, who: string): { startLogits: tf.Tensor; endLogits: tf.Tensor } {
  const { startLogits, endLogits } = outputs;
  if (startLogits === undefined || endLogits === undefined) {
    throw new ConfigError(`${who} has no span question-answering head`, {
      expected: 'start and end logits (a model created or loaded with task: question-answering)',
      received: 'outputs without startLogits / endLogits',
      hint: 'Load the checkpoint with { task: "question-answering" } before training or scoring SQuAD',
    });
  }
  return { startLogits, endLogits };
}

/** What padding positions get in {@link spanDistillationLogits}: zero probability at any temperature, yet finite. */
const PADDING_LOGIT = -1e9;

/**
 * Span logits as the soft-target losses of `@pofa/distill` read them: start and end logits
 * `[batch, seq]` stacked into `[2 · batch, seq]` (start rows, then end rows), padding positions
 * set to a large negative logit. A KL over the last axis (`kdKlDivergence`) is then a KL over the
 * sequence positions for the start and for the end distribution separately, padding excluded,
 * averaged over the 2 · batch rows: mean over the batch of (KL(start) + KL(end)) / 2. Padding gets
 * no gradient.
 *
 * @example
 * ```ts
 * const logits = spanDistillationLogits(outputs.startLogits!, outputs.endLogits!, outputs.mask);
 * ```
 */
export function spanDistillationLogits(startLogits: tf.Tensor, endLogits: tf.Tensor, mask: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    const keep = tf.greater(mask, 0);
    const padding = tf.fill(startLogits.shape, PADDING_LOGIT);
    return tf.concat([tf.where(keep, startLogits, padding), tf.where(keep, endLogits, padding)], 0) as tf.Tensor2D;
  });
}

function withSpanLogits(outputs: ModelOutputs, who: string): ModelOutputs & DistillationFeatures {
  const { startLogits, endLogits } = requireSpanLogits(outputs, who);
  return { ...outputs, logits: spanDistillationLogits(startLogits, endLogits, outputs.mask) };
}

/**
 * The loss of a span question-answering training step (`BertForQuestionAnswering`: the mean of
 * the start and end cross-entropies, see `questionAnsweringLoss`). Its outputs carry, as
 * `logits`, the {@link spanDistillationLogits} that the distillation modifier compares with the
 * teacher's (wrap the teacher in {@link spanDistillationTeacher}).
 *
 * @example
 * ```ts
 * createTrainer({ model, data: squadTrainingData(task.train, tokenizer), loss: spanTrainingLoss, ... });
 * ```
 */
export const spanTrainingLoss: TrainingLoss<Module, SpanBatch> = spanLossWith();

/**
 * {@link spanTrainingLoss} whose outputs also carry the requested features (hidden states for a
 * distillation that matches them).
 *
 * @example
 * ```ts
 * createTrainer({ model, data, loss: spanLossWith({ hidden: true }), ... });
 * ```
 */
export function spanLossWith(features?: FeatureRequest): TrainingLoss<Module, SpanBatch> {
  return (model, batch, context) => {
    const outputs = (model as EncoderModel).forward(
      { inputIds: batch.inputIds, attentionMask: batch.attentionMask, tokenTypeIds: batch.tokenTypeIds },
      { training: true, random: context.random, ...(features === undefined ? {} : { features }) },
    );
    const withLogits = withSpanLogits(outputs, 'The student');
    return { loss: questionAnsweringLoss(outputs.startLogits as tf.Tensor, outputs.endLogits as tf.Tensor, batch.startPositions, batch.endPositions), outputs: withLogits };
  };
}

/**
 * A span question-answering teacher as the distillation modifier takes it: its forward pass also
 * returns the {@link spanDistillationLogits}, so `distillationPreset('prune-ofa')` (KL at T = 2)
 * distils the start and end distributions over the sequence, padding masked out.
 *
 * @example
 * ```ts
 * const modifier = createDistillationModifier({ teacher: spanDistillationTeacher(teacher), config: distillationPreset('prune-ofa') });
 * ```
 */
export function spanDistillationTeacher(teacher: EncoderModel): DistillationTeacher {
  return {
    forward: (inputs: ModelInputs, options) => withSpanLogits(teacher.forward(inputs, options), 'The teacher'),
    eval: () => teacher.eval(),
    parameters: () => teacher.parameters(),
  };
}
