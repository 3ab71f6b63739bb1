import { z } from 'zod';
import { ConfigError, defaultRegistry, tf, type Registry, type Tensor } from '@pofa/core';
import { createTextBatcher, labelsOf, type BatchableExample, type TextBatch } from './batching/text-batcher';
import { EncodeFunctionSchema } from './batching/encode-function';
import type { SplitName } from './embedded/hashing';
import { parseOptions } from './embedded/task-options';
import type { LabelScale } from './embedded/types';
import { computeMetrics } from './evaluate-metrics';
import { EMBEDDED_TASK_SPECIFICATIONS, type TaskSpecification } from './task-spec';

/** A model reduced to a callback: a batch → logits `[batch, classes]` or values `[batch]` / `[batch, 1]`. */
export type EvaluationModel = (batch: TextBatch) => Tensor;

/** A task `evaluate()` can run: splits of examples, class names, and for regression the label scale. */
export interface EvaluableTask extends Partial<Record<SplitName, readonly BatchableExample[]>> {
  name: string;
  labels?: readonly string[];
  labelScale?: LabelScale;
}

/** Options of {@link evaluate}. */
export const EvaluateOptionsSchema = z
  .object({
    encode: EncodeFunctionSchema,
    padId: z.number().int().nonnegative(),
    batchSize: z.number().int().positive().default(32),
    maxLength: z.number().int().min(2).default(128),
    padToMultipleOf: z.number().int().positive().default(1),
    /** Sort by length within chunks of this many batches (less padding); results are in example order anyway. */
    bucketMultiplier: z.number().int().nonnegative().default(0),
    /** The spec that names the head and metrics; default: the embedded spec `embedded/<task.name>`, else the task `task.name` in `registry`. */
    specification: z.custom<TaskSpecification>((value) => typeof value === 'object' && value !== null).optional(),
    /** Where a task that is not embedded is looked up when no `specification` is given (default: `defaultRegistry` of `@pofa/core`). */
    registry: z.custom<Registry>((value) => typeof value === 'object' && value !== null && typeof (value as Registry).has === 'function').optional(),
  })
  .strict();

/** Options of {@link evaluate}, as the caller writes them. */
export type EvaluateOptions = z.input<typeof EvaluateOptionsSchema>;

/** What {@link evaluate} returns. */
export interface EvaluationResult {
  metrics: Record<string, number>;
  /** The value of the spec's primary metric. */
  primary: number;
  primaryMetric: string;
  numExamples: number;
  /** Class ids (classification) or values in label units (regression), in example order. */
  predictions: number[];
}

/**
 * Runs a model callback over one split without gradients (each batch's forward pass inside
 * `tf.tidy`, batch tensors disposed), turns outputs into predictions (classification: argmax of
 * the logits; regression: the value, mapped back through the task's `labelScale`), and computes
 * the metrics of the task's spec: `options.specification`, else the embedded spec of `task.name`,
 * else the task registered as `task.name` in `options.registry` (default `defaultRegistry`).
 *
 * @example
 * ```ts
 * const task = await loadSotuPartyTask();
 * const result = await evaluate((batch) => model.classify(batch), task, 'validation', { encode, padId: 0, batchSize: 64 });
 * console.log(result.primary, result.metrics);
 * // A registered task: its spec gives the head and the metrics.
 * await evaluate(classify, { name: 'acme/review-sentiment', test: examples }, 'test', { encode, padId: 0, registry });
 * ```
 */
export async function evaluate(
  model: EvaluationModel,
  task: EvaluableTask,
  split: SplitName,
  options: EvaluateOptions,
): Promise<EvaluationResult> {
  const settings = parseOptions(EvaluateOptionsSchema, options, 'evaluate');
  const specification = settings.specification ?? specificationOf(task.name, settings.registry ?? defaultRegistry);
  const examples = task[split];
  if (examples === undefined || examples.length === 0) {
    throw new ConfigError(`evaluate: task ${task.name} has no examples in split ${split}`, {
      expected: 'a non-empty split',
      received: examples === undefined ? 'no such split' : 'an empty split',
    });
  }
  if (specification.head !== 'classification' && specification.head !== 'regression') {
    throw new ConfigError(`evaluate: head ${specification.head} is not supported`, {
      expected: 'a classification or regression task',
      received: specification.head,
      hint: 'Span and masked-LM tasks have their own evaluation',
    });
  }
  const regression = specification.head === 'regression';
  const classNames = [...(task.labels ?? specification.labels ?? [])];
  const { encode, padId, batchSize, maxLength, padToMultipleOf, bucketMultiplier } = settings;
  const batcher = createTextBatcher(examples, { encode, padId, batchSize, maxLength, padToMultipleOf, bucketMultiplier });
  const labels = labelsOf(examples, regression ? { regression: true } : { labels: classNames, regression: false });
  const predictions = new Array<number>(examples.length);
  for (const batch of batcher.batches(0)) {
    try {
      const [output, total] = tf.tidy(() => {
        const result = model(batch);
        // The sum is finite exactly when every output is: one NaN or infinity would otherwise pass as a class or a value.
        return [regression ? tf.reshape(result, [-1]) : tf.argMax(result, -1), tf.sum(result)];
      });
      const values = await output.data();
      const finite = Number.isFinite((await total.data())[0]);
      output.dispose();
      total.dispose();
      if (!finite) {
        throw new ConfigError('evaluate: the model returned NaN or infinite outputs', {
          expected: 'finite logits (or values)',
          received: `a non-finite output in a batch of ${batch.exampleIndices.length} examples`,
          hint: 'Its weights likely hold NaN or infinity (pofa inspect --json lists every tensor); export or train the model again',
        });
      }
      if (values.length !== batch.exampleIndices.length) {
        throw new ConfigError('evaluate: the model returned the wrong number of outputs', {
          expected: `${batch.exampleIndices.length} ${regression ? 'values ([batch] or [batch, 1])' : 'rows of logits ([batch, classes])'}`,
          received: `${values.length}`,
        });
      }
      batch.exampleIndices.forEach((exampleIndex, row) => (predictions[exampleIndex] = values[row]));
    } finally {
      batch.dispose();
    }
  }
  const scale = task.labelScale;
  const finalPredictions = regression && scale !== undefined ? predictions.map((value) => value * scale.std + scale.mean) : predictions;
  const metrics = computeMetrics(specification.metrics, finalPredictions, labels?.values ?? [], classNames.length);
  return {
    metrics,
    primary: metrics[specification.primaryMetric] ?? Number.NaN,
    primaryMetric: specification.primaryMetric,
    numExamples: examples.length,
    predictions: finalPredictions,
  };
}

function specificationOf(name: string, registry: Registry): TaskSpecification {
  const key = name.startsWith('embedded/') ? name : `embedded/${name}`;
  const specification = (EMBEDDED_TASK_SPECIFICATIONS as Record<string, TaskSpecification>)[key];
  if (specification !== undefined) return specification;
  if (registry.has('task', name)) return registry.get('task', name);
  const registered = registry.list('task');
  throw new ConfigError(`evaluate: no specification for task ${JSON.stringify(name)}`, {
    expected: `an embedded task (${Object.keys(EMBEDDED_TASK_SPECIFICATIONS).join(', ')}), a task registered in options.registry (${registered.length === 0 ? 'none is registered' : registered.join(', ')}), or options.specification`,
    received: name,
    hint: "Register the task (registry.register('task', spec)) and pass { registry }, or pass { specification }",
  });
}
