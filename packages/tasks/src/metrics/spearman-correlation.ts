import { pearsonOfValidated } from './pearson-correlation';
import { validatePairedInputs } from './validate-inputs';

/**
 * Spearman's rank correlation in [-1, 1], matching SciPy's `scipy.stats.spearmanr`
 * statistic: Pearson's r of the ranks, tied values sharing their average rank. Needs at least
 * two pairs; returns `NaN` when either input is constant, as SciPy does.
 *
 * @example
 * ```ts
 * spearmanCorrelation([1, 2, 3, 4], [1, 4, 9, 100]); // 1 (monotone)
 * spearmanCorrelation([5, 5, 5], [1, 2, 3]); // NaN
 * ```
 */
export function spearmanCorrelation(predictions: ArrayLike<number>, labels: ArrayLike<number>): number {
  validatePairedInputs('spearmanCorrelation', predictions, labels, ['predictions', 'labels'], 2);
  return pearsonOfValidated(averageRanks(predictions), averageRanks(labels));
}

/**
 * Ranks starting at 1, tied values getting the mean of the ranks they span
 * (SciPy's `rankdata(method='average')`).
 *
 * @example
 * ```ts
 * averageRanks([10, 20, 10, 30]); // [1.5, 3, 1.5, 4]
 * ```
 */
export function averageRanks(values: ArrayLike<number>): number[] {
  const order = Array.from({ length: values.length }, (_, index) => index);
  order.sort((left, right) => values[left] - values[right]);
  const ranks = new Array<number>(values.length);
  let start = 0;
  while (start < order.length) {
    let end = start;
    while (end + 1 < order.length && values[order[end + 1]] === values[order[start]]) end += 1;
    const rank = (start + end) / 2 + 1;
    for (let position = start; position <= end; position += 1) ranks[order[position]] = rank;
    start = end + 1;
  }
  return ranks;
}
