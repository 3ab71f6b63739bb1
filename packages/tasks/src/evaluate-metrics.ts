import { ConfigError } from '@pofa/core';
import { accuracy, f1Score, matthewsCorrelation, pearsonCorrelation, spearmanCorrelation } from './metrics/index';

type MetricFunction = (predictions: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number) => number;

const meanSquaredError: MetricFunction = (predictions, labels) => {
  let total = 0;
  for (let index = 0; index < labels.length; index += 1) total += (predictions[index] - labels[index]) ** 2;
  return total / labels.length;
};

/**
 * The metrics `evaluate()` computes, by the names task specs use (with common aliases).
 * `f1` is the F1 of class 1 for two classes, the macro average for more.
 */
export const EVALUATION_METRICS: Readonly<Record<string, MetricFunction>> = {
  accuracy: (predictions, labels) => accuracy(predictions, labels),
  f1: (predictions, labels, numClasses) => f1Score(predictions, labels, { average: numClasses > 2 ? 'macro' : 'binary' }),
  matthews_correlation: (predictions, labels) => matthewsCorrelation(predictions, labels),
  matthewsCorrelation: (predictions, labels) => matthewsCorrelation(predictions, labels),
  mcc: (predictions, labels) => matthewsCorrelation(predictions, labels),
  pearson: (predictions, labels) => pearsonCorrelation(predictions, labels),
  spearman: (predictions, labels) => spearmanCorrelation(predictions, labels),
  spearmanr: (predictions, labels) => spearmanCorrelation(predictions, labels),
  mse: meanSquaredError,
};

/**
 * Computes the named metrics of predictions against labels.
 *
 * @example
 * ```ts
 * computeMetrics(['accuracy', 'f1'], [1, 0, 1, 1], [1, 0, 0, 1], 2); // { accuracy: 0.75, f1: 0.8 }
 * ```
 */
export function computeMetrics(
  names: readonly string[],
  predictions: ArrayLike<number>,
  labels: ArrayLike<number>,
  numClasses: number,
): Record<string, number> {
  const result: Record<string, number> = {};
  for (const name of names) {
    const metric = EVALUATION_METRICS[name];
    if (metric === undefined) {
      throw new ConfigError(`evaluate: unknown metric ${JSON.stringify(name)}`, {
        expected: `one of ${Object.keys(EVALUATION_METRICS).join(', ')}`,
        received: name,
        hint: 'Fix the task specification, or compute this metric from the returned predictions',
      });
    }
    result[name] = metric(predictions, labels, numClasses);
  }
  return result;
}
