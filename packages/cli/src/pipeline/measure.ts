import { stat } from 'node:fs/promises';
import type { tf } from '@pofa/core';
import type { EncoderModel } from '@pofa/models';
import { evaluate, type EvaluationResult, type RunTask } from '@pofa/tasks';
import type { PreparedEncoder } from './text-encoder';

/**
 * The size of a file in bytes.
 *
 * @example
 * ```ts
 * await fileBytes('pofa-out/dense/model/model.safetensors');
 * ```
 */
export async function fileBytes(path: string): Promise<number> {
  return (await stat(path)).size;
}

/**
 * Scores a classification or regression model on a split of the run's task with `evaluate()`.
 *
 * @example
 * ```ts
 * const { primary, primaryMetric } = await evaluateModel(model, task, 'test', encoder, 32);
 * ```
 */
export async function evaluateModel(
  model: EncoderModel,
  task: RunTask,
  split: 'validation' | 'test',
  encoder: PreparedEncoder,
  batchSize: number,
): Promise<EvaluationResult> {
  model.eval();
  return evaluate(
    (batch) => model.forward({ inputIds: batch.inputIds, attentionMask: batch.attentionMask, tokenTypeIds: batch.tokenTypeIds }).logits as tf.Tensor,
    { name: task.name, [split]: task[split], labels: task.labels, ...(task.labelScale === undefined ? {} : { labelScale: task.labelScale }) },
    split,
    { encode: encoder.encode, padId: encoder.tokenizer.padId, batchSize, maxLength: encoder.maxLength, specification: task.specification },
  );
}
