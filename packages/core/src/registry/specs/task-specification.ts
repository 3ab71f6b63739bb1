import type { SpecificationVersion } from './plugin-specification';

/**
 * The heads a task can need.
 *
 * @example
 * ```ts
 * TASK_HEADS.includes('span'); // true
 * ```
 */
export const TASK_HEADS = ['classification', 'regression', 'span', 'masked-lm'] as const;

/** One of {@link TASK_HEADS}. */
export type TaskHead = (typeof TASK_HEADS)[number];

/**
 * A task: which input fields a model reads, which head it needs, its labels and metrics.
 *
 * @example
 * ```ts
 * const mrpc: TaskSpecification = {
 *   specificationVersion: 'v1',
 *   name: 'glue/mrpc',
 *   fields: ['sentence1', 'sentence2'],
 *   head: 'classification',
 *   labels: ['not_equivalent', 'equivalent'],
 *   metrics: ['accuracy', 'f1'],
 *   primaryMetric: 'f1',
 * };
 * ```
 */
export interface TaskSpecification {
  readonly specificationVersion: SpecificationVersion;
  readonly name: string;
  /** The input fields of an example, in the order they are fed to the model (one or two). */
  readonly fields: readonly string[];
  readonly head: TaskHead;
  /** Class names, index = label id (classification heads). */
  readonly labels?: readonly string[];
  /** Metric names the task reports. */
  readonly metrics: readonly string[];
  /** The metric that ranks runs; one of `metrics`. */
  readonly primaryMetric: string;
  readonly description?: string;
}
