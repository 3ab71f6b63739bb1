import { validatePairedInputs } from './validate-inputs';

/**
 * The fraction of predictions equal to their label, in [0, 1]
 * (scikit-learn's `accuracy_score`).
 *
 * @example
 * ```ts
 * accuracy([1, 0, 1, 1], [1, 0, 0, 1]); // 0.75
 * ```
 */
export function accuracy(predictions: ArrayLike<number>, labels: ArrayLike<number>): number {
  validatePairedInputs('accuracy', predictions, labels);
  let correct = 0;
  for (let index = 0; index < labels.length; index += 1) {
    if (predictions[index] === labels[index]) correct += 1;
  }
  return correct / labels.length;
}
