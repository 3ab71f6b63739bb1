import type { SplitName } from './hashing';
import type { ClassificationSplitStats, RegressionSplitStats, TaskStats, TextExample } from './types';

const SPLITS: SplitName[] = ['train', 'validation', 'test'];

type Splits = Record<SplitName, readonly TextExample[]>;

/**
 * Sizes, class balance and the trivial baselines of a task's splits: for classification the
 * accuracy of predicting the train split's majority class, for regression the mean squared
 * error of predicting the train split's mean.
 *
 * @example
 * ```ts
 * const stats = computeTaskStats({ train, validation, test }, ['ham', 'spam']);
 * console.log(stats.splits.test);
 * ```
 */
export function computeTaskStats(splits: Splits, labels: readonly string[]): TaskStats {
  const stats: TaskStats = labels.length > 0 ? classificationStats(splits, labels) : regressionStats(splits);
  if (SPLITS.some((split) => splits[split].some((example) => example.group !== undefined))) {
    stats.groups = Object.fromEntries(
      SPLITS.map((split) => [split, new Set(splits[split].map((example) => example.group)).size]),
    ) as Record<SplitName, number>;
  }
  return stats;
}

function classificationStats(splits: Splits, labels: readonly string[]): TaskStats {
  const counts = (examples: readonly TextExample[]): Record<string, number> => {
    const result: Record<string, number> = Object.fromEntries(labels.map((label) => [label, 0]));
    for (const example of examples) result[String(example.label)] = (result[String(example.label)] ?? 0) + 1;
    return result;
  };
  const trainCounts = counts(splits.train);
  const majorityClass = labels.reduce((best, label) => (trainCounts[label] > trainCounts[best] ? label : best), labels[0]);
  const perSplit = Object.fromEntries(
    SPLITS.map((split): [SplitName, ClassificationSplitStats] => {
      const classCounts = counts(splits[split]);
      const size = splits[split].length;
      return [split, { size, classCounts, majorityBaselineAccuracy: size === 0 ? 0 : classCounts[majorityClass] / size }];
    }),
  ) as Record<SplitName, ClassificationSplitStats>;
  return { kind: 'classification', majorityClass, splits: perSplit };
}

function regressionStats(splits: Splits): TaskStats {
  const values = (split: SplitName): number[] => splits[split].map((example) => Number(example.label));
  const mean = (numbers: number[]): number => numbers.reduce((sum, value) => sum + value, 0) / Math.max(1, numbers.length);
  const trainMean = mean(values('train'));
  const perSplit = Object.fromEntries(
    SPLITS.map((split): [SplitName, RegressionSplitStats] => {
      const numbers = values(split);
      const splitMean = mean(numbers);
      const variance = mean(numbers.map((value) => (value - splitMean) ** 2));
      return [
        split,
        {
          size: numbers.length,
          mean: splitMean,
          std: Math.sqrt(variance),
          min: numbers.reduce((low, value) => Math.min(low, value), Number.POSITIVE_INFINITY),
          max: numbers.reduce((high, value) => Math.max(high, value), Number.NEGATIVE_INFINITY),
          meanBaselineMse: mean(numbers.map((value) => (value - trainMean) ** 2)),
        },
      ];
    }),
  ) as Record<SplitName, RegressionSplitStats>;
  return { kind: 'regression', splits: perSplit };
}
