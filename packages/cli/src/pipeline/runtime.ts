import { ConfigError, tf } from '@pofa/core';
import type { EncoderInputs, EncoderRuntime } from '@pofa/sparse-kernels';
import { createTextBatcher, evaluate, type EvaluationResult, type TextBatch, type RunTask } from '@pofa/tasks';
import type { PreparedEncoder } from './text-encoder';

function matrix(tensor: tf.Tensor): { data: Int32Array; shape: [number, number] } {
  return { data: Int32Array.from(tensor.dataSync()), shape: [tensor.shape[0] as number, tensor.shape[1] as number] };
}

/**
 * A batch of the task batchers as inputs of a `.pofa` runtime (flat int32 matrices).
 *
 * @example
 * ```ts
 * const { logits } = runtime.run(runtimeInputs(batch));
 * ```
 */
export function runtimeInputs(batch: Pick<TextBatch, 'inputIds' | 'attentionMask' | 'tokenTypeIds'>): EncoderInputs {
  return { inputIds: matrix(batch.inputIds), attentionMask: matrix(batch.attentionMask), tokenTypeIds: matrix(batch.tokenTypeIds) };
}

/**
 * Scores a `.pofa` runtime (the deployed model) on a split of the task with `evaluate()`: the
 * same batches, predictions and metrics as the tfjs models, from the runtime's logits.
 *
 * @example
 * ```ts
 * const { primary } = await evaluateRuntime(await loadBundle('sparse-int8.pofa'), task, 'test', encoder, 32);
 * ```
 */
export async function evaluateRuntime(runtime: EncoderRuntime, task: RunTask, split: 'validation' | 'test', encoder: PreparedEncoder, batchSize: number): Promise<EvaluationResult> {
  return evaluate(
    (batch) => {
      const { logits, batch: rows } = runtime.run(runtimeInputs(batch));
      if (logits === undefined || runtime.config.task !== 'sequence-classification') {
        throw new ConfigError('The bundle cannot score a classification or regression task', {
          expected: 'a bundle with a sequence-classification head',
          received: `a ${runtime.config.task} head`,
          hint: 'Export the model after transfer to the task (pofa export --format pofa)',
        });
      }
      return tf.tensor2d(logits, [rows, logits.length / rows]);
    },
    { name: task.name, [split]: task[split], labels: task.labels, ...(task.labelScale === undefined ? {} : { labelScale: task.labelScale }) },
    split,
    { encode: encoder.encode, padId: encoder.tokenizer.padId, batchSize, maxLength: encoder.maxLength, specification: task.specification },
  );
}

/**
 * The inputs latency is measured on: the first `batchSize` examples of the task's test split,
 * padded to the longest of them, as a `.pofa` runtime takes them.
 *
 * @example
 * ```ts
 * const inputs = latencyInputs(task, encoder, 16);
 * ```
 */
export function latencyInputs(task: RunTask, encoder: PreparedEncoder, batchSize: number): EncoderInputs {
  const examples = task.test.slice(0, batchSize);
  const batches = createTextBatcher(examples, { encode: encoder.encode, padId: encoder.tokenizer.padId, batchSize: examples.length, maxLength: encoder.maxLength, bucketMultiplier: 0 }).batches(0);
  const batch = batches.next().value as TextBatch;
  batches.return(undefined);
  try {
    return runtimeInputs(batch);
  } finally {
    batch.dispose();
  }
}

/**
 * The median wall time in milliseconds of one `run` of each runtime on the same inputs, after
 * warm-up runs. The runtimes take turns run by run, so a change in the machine's load affects them
 * alike and their ratios (the speedups) stay meaningful.
 *
 * @example
 * ```ts
 * const [denseMs, sparseMs, int8Ms] = measureRuntimeLatencies([dense, sparse, int8], inputs, { runs: 20 });
 * ```
 */
export function measureRuntimeLatencies(runtimes: ReadonlyArray<{ run(inputs: EncoderInputs): unknown }>, inputs: EncoderInputs, options: { runs?: number; warmup?: number } = {}): number[] {
  const { runs = 20, warmup = 3 } = options;
  const times: number[][] = runtimes.map(() => []);
  for (let run = 0; run < warmup + runs; run++) {
    for (const [index, runtime] of runtimes.entries()) {
      const started = performance.now();
      runtime.run(inputs);
      if (run >= warmup) times[index].push(performance.now() - started);
    }
  }
  return times.map((list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]);
}
