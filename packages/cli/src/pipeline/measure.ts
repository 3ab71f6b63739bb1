import { stat } from 'node:fs/promises';
import { selectTargets, tf, type Module } from '@pofa/core';
import type { EncoderModel } from '@pofa/models';
import { evaluate, type EvaluationResult } from '@pofa/tasks';
import type { RunTask } from './task-source';
import type { PreparedEncoder } from './text-encoder';

/** Heads and pooler: not part of "the encoder" whose size the table reports. */
const HEAD_PREFIXES = ['classifier.', 'pooler.', 'cls.', 'qa_outputs.', 'pre_classifier.', 'vocab_'];

/**
 * The nominal size of the encoder (embeddings and layers, heads excluded) in bytes: the encoder
 * Linear weights count their non-zeros at `bits` bits each (the paper's arithmetic: indices not
 * counted), every other parameter 4 bytes per value.
 *
 * @example
 * ```ts
 * nominalEncoderBytes(sparseModel, 8); // about a tenth of the dense fp32 Linear bytes at 90% + int8
 * ```
 */
export function nominalEncoderBytes(model: Module, bits: number): number {
  const targeted = new Set(selectTargets(model).map(([name]) => name));
  let bytes = 0;
  for (const [name, parameter] of model.namedParameters()) {
    if (HEAD_PREFIXES.some((prefix) => name.startsWith(prefix))) continue;
    if (!targeted.has(name)) {
      bytes += parameter.size * 4;
      continue;
    }
    const values = tf.tidy(() => parameter.value().dataSync());
    let nonZeros = 0;
    for (let i = 0; i < values.length; i++) if (values[i] !== 0) nonZeros++;
    bytes += (nonZeros * bits) / 8;
  }
  return Math.round(bytes);
}

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
 * The median wall time in milliseconds of one forward pass (eval mode) on one sequence of
 * `length` tokens, for each model, after warm-up runs. The models take turns run by run, so a
 * change in the machine's load affects them alike and their ratio stays meaningful.
 *
 * @example
 * ```ts
 * const [denseMs, sparseMs] = await measureLatencies([dense, sparse], 64, { runs: 20 });
 * ```
 */
export async function measureLatencies(models: readonly EncoderModel[], length: number, options: { runs?: number; warmup?: number } = {}): Promise<number[]> {
  const { runs = 20, warmup = 3 } = options;
  // A fixed sequence of ordinary token ids (past the special tokens), [1, length] int32.
  const batch = tf.tensor2d([Array.from({ length }, (_, position) => 5 + (position % 50))], [1, length], 'int32');
  const times: number[][] = models.map(() => []);
  try {
    for (const model of models) model.eval();
    for (let run = 0; run < warmup + runs; run++) {
      for (const [index, model] of models.entries()) {
        const started = performance.now();
        const output = tf.tidy(() => model.forward({ inputIds: batch }).lastHidden);
        await output.data();
        output.dispose();
        if (run >= warmup) times[index].push(performance.now() - started);
      }
    }
  } finally {
    batch.dispose();
  }
  return times.map((list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]);
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
