import { ConfigError, describeValue } from '@pofa/core';
import { GLUE_TASK_NAMES, GlueTaskNameSchema, type GlueTaskName } from '../formats/glue-task-name';
import { accuracy } from './accuracy';
import { f1Score } from './f1-score';
import { matthewsCorrelation } from './matthews-correlation';
import { pearsonCorrelation } from './pearson-correlation';
import { spearmanCorrelation } from './spearman-correlation';

/** A GLUE metric, by the name task specifications and `evaluate()` use. */
export type GlueMetricName = 'accuracy' | 'f1' | 'matthews_correlation' | 'pearson' | 'spearman';

/**
 * The metrics GLUE reports for each task, in GLUE's order, and the one ranked first
 * (the primary metric). MRPC and QQP: F1 of class 1, then accuracy; STS-B: Pearson, then Spearman.
 *
 * @example
 * ```ts
 * GLUE_METRICS.qqp; // { metrics: ['f1', 'accuracy'], primaryMetric: 'f1' }
 * ```
 */
export const GLUE_METRICS: Readonly<Record<GlueTaskName, { metrics: readonly GlueMetricName[]; primaryMetric: GlueMetricName }>> = {
  cola: { metrics: ['matthews_correlation'], primaryMetric: 'matthews_correlation' },
  sst2: { metrics: ['accuracy'], primaryMetric: 'accuracy' },
  mrpc: { metrics: ['f1', 'accuracy'], primaryMetric: 'f1' },
  stsb: { metrics: ['pearson', 'spearman'], primaryMetric: 'pearson' },
  qqp: { metrics: ['f1', 'accuracy'], primaryMetric: 'f1' },
  mnli: { metrics: ['accuracy'], primaryMetric: 'accuracy' },
  qnli: { metrics: ['accuracy'], primaryMetric: 'accuracy' },
  rte: { metrics: ['accuracy'], primaryMetric: 'accuracy' },
  wnli: { metrics: ['accuracy'], primaryMetric: 'accuracy' },
};

/** The metrics GLUE reports for one task. */
export interface GlueScore {
  task: GlueTaskName;
  /** Each metric of `GLUE_METRICS[task].metrics`, by name. */
  metrics: Partial<Record<GlueMetricName, number>>;
  /** The value of the task's primary metric (`GLUE_METRICS[task].primaryMetric`). */
  primary: number;
  /**
   * GLUE's task score: the mean of the reported metrics (MRPC/QQP: F1 and accuracy; STS-B:
   * Pearson and Spearman), the number the GLUE leaderboard averages over tasks.
   */
  average: number;
}

const METRIC_FUNCTIONS: Record<GlueMetricName, (predictions: ArrayLike<number>, labels: ArrayLike<number>) => number> = {
  accuracy,
  f1: (predictions, labels) => f1Score(predictions, labels, { average: 'binary', positiveLabel: 1 }),
  matthews_correlation: matthewsCorrelation,
  pearson: pearsonCorrelation,
  spearman: spearmanCorrelation,
};

/**
 * Scores one GLUE task the way GLUE reports it. CoLA: Matthews correlation; SST-2, MNLI
 * (matched or mismatched, one call each), QNLI, RTE, WNLI: accuracy; MRPC and QQP: F1 of class
 * 1 and accuracy; STS-B: Pearson and Spearman correlations of the scores. Predictions and labels
 * are class indices (as `loadGlueTask` returns them) or, for STS-B, similarity scores.
 *
 * @example
 * ```ts
 * glueScore('mrpc', [1, 1, 0, 1], [1, 0, 0, 1]);
 * // { task: 'mrpc', metrics: { f1: 0.8, accuracy: 0.75 }, primary: 0.8, average: 0.775 }
 * ```
 */
export function glueScore(task: GlueTaskName, predictions: ArrayLike<number>, labels: ArrayLike<number>): GlueScore {
  const parsed = GlueTaskNameSchema.safeParse(task);
  if (!parsed.success) {
    throw new ConfigError('glueScore: unknown GLUE task', {
      expected: `one of ${GLUE_TASK_NAMES.join(', ')}`,
      received: describeValue(task),
    });
  }
  const { metrics: names, primaryMetric } = GLUE_METRICS[parsed.data];
  const metrics: Partial<Record<GlueMetricName, number>> = {};
  let total = 0;
  for (const name of names) {
    metrics[name] = METRIC_FUNCTIONS[name](predictions, labels);
    total += metrics[name] as number;
  }
  return { task: parsed.data, metrics, primary: metrics[primaryMetric] as number, average: total / names.length };
}
