import { ConfigError, tf } from '@pofa/core';
import { sequenceClassificationLoss, type EncoderModel, type ModelInputs } from '@pofa/models';
import { computeStructureImportance, type StructureImportance } from '@pofa/prune';

/** The loss importance is measured with: the fine-tuned model's task loss on one batch. */
export type ImportanceLoss<B> = (model: EncoderModel, batch: B) => tf.Scalar;

/** Options of {@link computeImportance}. */
export interface ImportanceOptions<B> {
  /** Default: {@link classificationLoss}. */
  loss?: ImportanceLoss<B>;
  /** Call each batch's `dispose()` once used (batches of a `TextBatcher` generator); default false. */
  disposeBatches?: boolean;
}

/** A labelled batch of model inputs (a `TextBatch` of `@pofa/tasks` fits). */
export interface LabelledInputs {
  inputIds: tf.Tensor;
  attentionMask?: tf.Tensor;
  tokenTypeIds?: tf.Tensor;
  labels?: tf.Tensor;
}

/**
 * The inputs of a batch in the form `model.forward` takes (token types only for BERT).
 *
 * @example
 * ```ts
 * const outputs = model.forward(modelInputs(model, batch));
 * ```
 */
export function modelInputs(model: EncoderModel, batch: LabelledInputs): ModelInputs {
  const inputs: ModelInputs = { inputIds: batch.inputIds };
  if (batch.attentionMask !== undefined) inputs.attentionMask = batch.attentionMask;
  if (model.family === 'bert' && batch.tokenTypeIds !== undefined) inputs.tokenTypeIds = batch.tokenTypeIds;
  return inputs;
}

/**
 * The task loss of a sequence-classification (or regression) model on a labelled batch:
 * `sequenceClassificationLoss(logits, labels)`, the default of {@link computeImportance}.
 *
 * @example
 * ```ts
 * const loss = classificationLoss(model, batch); // scalar
 * ```
 */
export function classificationLoss(model: EncoderModel, batch: LabelledInputs): tf.Scalar {
  if (batch.labels === undefined) {
    throw new ConfigError('Importance needs labelled batches', { expected: 'batches with labels', received: 'a batch without labels', hint: 'Pass a loss function for unlabelled data' });
  }
  const labels = batch.labels;
  return tf.tidy(() => {
    const { logits } = model.forward(modelInputs(model, batch), { training: false });
    if (logits === undefined) {
      throw new ConfigError('The model has no classification head', { expected: 'task sequence-classification', received: model.task, hint: 'Pass a loss function for other heads' });
    }
    return sequenceClassificationLoss(logits, labels);
  });
}

/** Yields the batches, disposing each (when asked) once the consumer moves past it, and counts them. */
function* calibrationBatches<B>(batches: Iterable<B>, dispose: boolean, counter: { count: number }): Generator<B> {
  for (const batch of batches) {
    counter.count++;
    try {
      yield batch;
    } finally {
      if (dispose) (batch as { dispose?: () => void }).dispose?.();
    }
  }
}

/**
 * Head and FFN-neuron importance as PaddleSlim computes it (`compute_neuron_head_importance`
 * in paddleslim/nas/ofa/utils/nlp_utils.py, after Michel et al. 2019 and DynaBERT), summed
 * over `batches` with the model in eval mode — {@link computeStructureImportance} of the
 * structured-pruning module, with the fine-tuned model's task loss as the default loss
 * ({@link classificationLoss}) and batches disposed as they are used when asked.
 *
 * @example
 * ```ts
 * const importance = computeImportance(model, batcher.batches(0), { disposeBatches: true });
 * importance.heads[0]; // one score per head of layer 0
 * ```
 */
export function computeImportance<B extends LabelledInputs>(
  model: EncoderModel,
  batches: Iterable<B>,
  options: ImportanceOptions<B> = {},
): StructureImportance {
  const counter = { count: 0 };
  const importance = computeStructureImportance(model, calibrationBatches(batches, options.disposeBatches ?? false, counter), options.loss ?? classificationLoss);
  if (counter.count === 0) throw new ConfigError('computeImportance got no batches', { expected: 'at least one calibration batch', received: 'an empty iterable' });
  return importance;
}
