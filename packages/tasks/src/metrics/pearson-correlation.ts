import { validatePairedInputs } from './validate-inputs';

/**
 * Pearson's correlation coefficient in [-1, 1], matching SciPy's `scipy.stats.pearsonr`
 * statistic: needs at least two pairs, and returns `NaN` when either input is constant
 * (the coefficient is undefined there; SciPy warns and returns `nan`). GLUE's STS-B metric.
 *
 * @example
 * ```ts
 * pearsonCorrelation([1, 2, 3], [2, 4, 6.5]); // ≈ 0.9989
 * pearsonCorrelation([1, 1, 1], [1, 2, 3]); // NaN
 * ```
 */
export function pearsonCorrelation(predictions: ArrayLike<number>, labels: ArrayLike<number>): number {
  validatePairedInputs('pearsonCorrelation', predictions, labels, ['predictions', 'labels'], 2);
  return pearsonOfValidated(predictions, labels);
}

/** Pearson's r of two validated arrays (same length, at least two finite numbers). */
export function pearsonOfValidated(first: ArrayLike<number>, second: ArrayLike<number>): number {
  const length = first.length;
  if (isConstant(first) || isConstant(second)) return Number.NaN;
  if (length === 2) return Math.sign(first[1] - first[0]) * Math.sign(second[1] - second[0]);
  const firstMean = mean(first);
  const secondMean = mean(second);
  let cross = 0;
  let firstSquares = 0;
  let secondSquares = 0;
  for (let index = 0; index < length; index += 1) {
    const firstCentred = first[index] - firstMean;
    const secondCentred = second[index] - secondMean;
    cross += firstCentred * secondCentred;
    firstSquares += firstCentred * firstCentred;
    secondSquares += secondCentred * secondCentred;
  }
  const correlation = cross / (Math.sqrt(firstSquares) * Math.sqrt(secondSquares));
  return Math.max(-1, Math.min(1, correlation));
}

function isConstant(values: ArrayLike<number>): boolean {
  for (let index = 1; index < values.length; index += 1) if (values[index] !== values[0]) return false;
  return true;
}

function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let index = 0; index < values.length; index += 1) sum += values[index];
  return sum / values.length;
}
