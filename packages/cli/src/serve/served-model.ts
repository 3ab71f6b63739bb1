import { basename } from 'node:path';
import { bundleTaskOf, pipeline, pipelineTaskOf, type ClassificationLabel, type PipelineTask, type QuestionContext, type TextPair } from '@pofa/runtime';
import { readBundle, type BundleTask, type Kernels } from '@pofa/sparse-kernels';
import { createBatchQueue, type BatchQueue } from './batch-queue';
import type { PredictItem } from './predict-schemas';
import type { ServeMetrics } from './serve-metrics';

/** A model behind the server: its task and the queue that batches its requests' inputs. */
export interface ServedModel {
  name: string;
  path: string;
  task: BundleTask;
  pipeline: PipelineTask;
  /** One output per item: every label (most probable first), a `{ value }`, or an answer. */
  queue: BatchQueue<PredictItem, unknown>;
}

/**
 * A `--model` value: `name=path`, or a path (named after its file, without `.pofa`).
 *
 * @example
 * ```ts
 * parseModelSpec('spam=pofa-out/bundles/sparse-int8.pofa'); // { name: 'spam', path: 'pofa-out/bundles/sparse-int8.pofa' }
 * ```
 */
export function parseModelSpec(spec: string): { name: string; path: string } {
  const match = /^([A-Za-z0-9][A-Za-z0-9._-]*)=(.+)$/.exec(spec);
  return match === null ? { name: basename(spec).replace(/\.pofa$/, ''), path: spec } : { name: match[1], path: match[2] };
}

/** The batch function of a task's pipeline: every item's output, in order. */
async function batchRunner(task: PipelineTask, bundle: Awaited<ReturnType<typeof readBundle>>, options: { batchSize: number; kernels?: Kernels }): Promise<(items: PredictItem[]) => Promise<unknown[]>> {
  switch (task) {
    case 'text-classification': {
      const classify = await pipeline(task, bundle, options);
      const all = { topK: classify.model.bundle.config.numLabels };
      return (items) => classify(items as string[], all);
    }
    case 'text-pair-classification': {
      const classify = await pipeline(task, bundle, options);
      const all = { topK: classify.model.bundle.config.numLabels };
      return (items) => classify(items as TextPair[], all);
    }
    case 'regression': {
      const regress = await pipeline(task, bundle, options);
      return (items) => regress(items as Array<string | TextPair>);
    }
    case 'question-answering': {
      const answer = await pipeline(task, bundle, options);
      return (items) => answer(items as QuestionContext[]);
    }
  }
}

/**
 * Loads a bundle and the pipeline its task calls for, behind a batch queue: inputs of
 * concurrent requests that arrive within `maxWaitMs` run as one pipeline call of up to
 * `maxBatch` inputs. Classification batches return every label, so that each request takes its
 * own top-k. Batch sizes, batch times and the queue length go to `metrics`.
 *
 * @example
 * ```ts
 * const model = await loadServedModel({ name: 'spam', path: 'spam.pofa' }, { maxBatch: 32, maxWaitMs: 5 }, metrics);
 * await model.queue.submit(['Lunch at noon?']); // [[{ label: 'ham', score: 0.9 }, { label: 'spam', score: 0.1 }]]
 * ```
 */
export async function loadServedModel(spec: { name: string; path: string }, options: { maxBatch: number; maxWaitMs: number; kernels?: Kernels }, metrics: ServeMetrics): Promise<ServedModel> {
  const bundle = await readBundle(spec.path);
  const task = bundleTaskOf(bundle);
  const pipelineTask = pipelineTaskOf(task.kind);
  const run = await batchRunner(pipelineTask, bundle, { batchSize: options.maxBatch, ...(options.kernels === undefined ? {} : { kernels: options.kernels }) });
  const queue = createModelQueue(spec.name, options, metrics, run);
  return { name: spec.name, path: spec.path, task, pipeline: pipelineTask, queue };
}

/**
 * The batch queue of a served model, its batches timed and sized in `metrics` under the model's
 * name (`pofa_batch_size`, `pofa_batch_duration_seconds`, `pofa_queue_length`). `run` takes one
 * batch of inputs and returns one output per input.
 *
 * @example
 * ```ts
 * const queue = createModelQueue('ort', { maxBatch: 32, maxWaitMs: 5 }, metrics, (texts) => runOnnx(texts));
 * ```
 */
export function createModelQueue(name: string, options: { maxBatch: number; maxWaitMs: number }, metrics: ServeMetrics, run: (items: PredictItem[]) => Promise<unknown[]>): BatchQueue<PredictItem, unknown> {
  const labels = { model: name };
  return createBatchQueue<PredictItem, unknown>({
    maxBatch: options.maxBatch,
    maxWaitMs: options.maxWaitMs,
    run: async (items) => {
      const stop = metrics.inference.startTimer(labels);
      try {
        return await run(items);
      } finally {
        stop();
      }
    },
    observer: {
      onBatch: (size) => metrics.batchSize.observe(labels, size),
      onQueueLength: (length) => metrics.queueLength.set(labels, length),
    },
  });
}

/**
 * One request's outputs from its items' batch outputs: classification keeps the `topK` most
 * probable labels (one `{ label, score }` per input without `topK`, a list of them with it).
 *
 * @example
 * ```ts
 * requestOutputs(model, outputs, { topK: 2 });
 * ```
 */
export function requestOutputs(model: ServedModel, outputs: unknown[], parameters: { topK?: number } | undefined): unknown[] {
  if (model.task.kind !== 'classification' && model.task.kind !== 'pair-classification') return outputs;
  const ranked = outputs as ClassificationLabel[][];
  const topK = parameters?.topK;
  return topK === undefined ? ranked.map(([best]) => best) : ranked.map((labels) => labels.slice(0, topK));
}
