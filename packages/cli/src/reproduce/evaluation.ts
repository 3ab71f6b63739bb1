import { tf } from '@pofa/core';
import type { EncoderModel } from '@pofa/models';
import { encoderSparsity } from '@pofa/prune';
import type { RunTask } from '@pofa/tasks';
import { evaluateModel } from '../pipeline/measure';
import type { PreparedEncoder } from '../pipeline/text-encoder';

/** The score of one cell of a table: the task's primary metric on its test split, and the model's sparsity. */
export interface CellResult {
  metric: string;
  value: number;
  metrics: Record<string, number>;
  /** Zeros of the encoder Linear weights (effective values: masks and fake quantization applied). */
  sparsity: number;
}

/**
 * Scores a classification or regression model on the task's test split (`evaluate()`, the
 * specification's primary metric; batches of twice the training batch) and measures the
 * sparsity of its encoder Linear weights.
 *
 * @example
 * ```ts
 * const { metric, value, sparsity } = await evaluateCell(model, task, { encoder, scale: { batchSize: 16 } });
 * ```
 */
export async function evaluateCell(model: EncoderModel, task: RunTask, context: { encoder: PreparedEncoder; scale: { batchSize: number } }): Promise<CellResult> {
  const result = await evaluateModel(model, task, 'test', context.encoder, 2 * context.scale.batchSize);
  return { metric: result.primaryMetric, value: result.primary, metrics: result.metrics, sparsity: encoderSparsity(model) };
}

/**
 * The median wall time in milliseconds of one forward pass (eval mode) of each model on one
 * sequence of `length` tokens, after warm-up runs; the models take turns run by run, so that a
 * change of load affects them alike.
 *
 * @example
 * ```ts
 * const [fullMs, halfMs] = await medianLatencies([full, half], 64, { runs: 20 });
 * ```
 */
export async function medianLatencies(models: readonly EncoderModel[], length: number, { runs = 20, warmup = 3 }: { runs?: number; warmup?: number } = {}): Promise<Array<number | null>> {
  const inputIds = tf.tensor2d([Array.from({ length }, (_, position) => 5 + (position % 50))], [1, length], 'int32');
  const times: number[][] = models.map(() => []);
  try {
    for (const model of models) model.eval();
    for (let run = 0; run < warmup + runs; run++) {
      for (const [index, model] of models.entries()) {
        const started = performance.now();
        const output = tf.tidy(() => model.forward({ inputIds }).lastHidden as tf.Tensor);
        await output.data();
        output.dispose();
        if (run >= warmup) times[index].push(performance.now() - started);
      }
    }
  } finally {
    inputIds.dispose();
  }
  return times.map((list) => (list.length === 0 ? null : [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]));
}
