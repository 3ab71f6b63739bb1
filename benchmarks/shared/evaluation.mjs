// Scoring a model on a task split, its sparsity, parameter count and forward latency.
import { tf } from '@pofa/core';
import { sparsityReport } from '@pofa/prune';
import { evaluate } from '@pofa/tasks';

/**
 * Scores a classification or regression model on the task's test split with `evaluate()` (the
 * task specification's primary metric) and measures the sparsity of its encoder Linear weights.
 *
 * @example
 * ```js
 * const { metric, value, sparsity } = await evaluateModel(model, task, { encoder, scale });
 * ```
 */
export async function evaluateModel(model, task, context) {
  model.eval();
  const result = await evaluate(
    (batch) => model.forward({ inputIds: batch.inputIds, attentionMask: batch.attentionMask, tokenTypeIds: batch.tokenTypeIds }).logits,
    { name: task.name, test: task.test, labels: task.labels, ...(task.labelScale === undefined ? {} : { labelScale: task.labelScale }) },
    'test',
    { encode: context.encoder.encode, padId: context.encoder.tokenizer.padId, batchSize: 2 * context.scale.batchSize, maxLength: context.encoder.maxLength, specification: task.specification },
  );
  return { metric: result.primaryMetric, value: result.primary, metrics: result.metrics, sparsity: sparsityReport(model).total.sparsity };
}

/**
 * The median wall time in milliseconds of one forward pass (eval mode) of each model on one
 * sequence of `length` tokens, after warm-up runs; the models take turns run by run so that a
 * change of load affects them alike.
 *
 * @example
 * ```js
 * const [fullMs, halfMs] = await medianLatencies([full, half], 64, { runs: 20 });
 * ```
 */
export async function medianLatencies(models, length, { runs = 20, warmup = 3 } = {}) {
  const inputIds = tf.tensor2d([Array.from({ length }, (_, position) => 5 + (position % 50))], [1, length], 'int32');
  const times = models.map(() => []);
  try {
    for (const model of models) model.eval();
    for (let run = 0; run < warmup + runs; run++) {
      for (const [index, model] of models.entries()) {
        const started = performance.now();
        const output = tf.tidy(() => model.forward({ inputIds }).lastHidden);
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
