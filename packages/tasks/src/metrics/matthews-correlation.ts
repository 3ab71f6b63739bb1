import { validatePairedInputs } from './validate-inputs';

/**
 * The Matthews correlation coefficient in [-1, 1], for two or more classes, with
 * scikit-learn's `matthews_corrcoef` semantics: computed from the confusion matrix, and 0
 * when it is undefined (predictions or labels hold a single class). GLUE's CoLA metric.
 *
 * @example
 * ```ts
 * matthewsCorrelation([1, 0, 1, 0], [1, 0, 1, 0]); // 1
 * matthewsCorrelation([1, 1, 1, 1], [1, 0, 1, 0]); // 0 (constant predictions)
 * ```
 */
export function matthewsCorrelation(predictions: ArrayLike<number>, labels: ArrayLike<number>): number {
  validatePairedInputs('matthewsCorrelation', predictions, labels);
  const trueCounts = new Map<number, number>();
  const predictedCounts = new Map<number, number>();
  let correct = 0;
  const total = labels.length;
  for (let index = 0; index < total; index += 1) {
    trueCounts.set(labels[index], (trueCounts.get(labels[index]) ?? 0) + 1);
    predictedCounts.set(predictions[index], (predictedCounts.get(predictions[index]) ?? 0) + 1);
    if (predictions[index] === labels[index]) correct += 1;
  }
  let truePredictedDot = 0;
  for (const [label, count] of trueCounts) truePredictedDot += count * (predictedCounts.get(label) ?? 0);
  const covariancePredictionsLabels = correct * total - truePredictedDot;
  const covariancePredictions = total * total - sumOfSquares(predictedCounts);
  const covarianceLabels = total * total - sumOfSquares(trueCounts);
  if (covariancePredictions * covarianceLabels === 0) return 0;
  return covariancePredictionsLabels / Math.sqrt(covarianceLabels * covariancePredictions);
}

function sumOfSquares(counts: Map<number, number>): number {
  let sum = 0;
  for (const count of counts.values()) sum += count * count;
  return sum;
}
