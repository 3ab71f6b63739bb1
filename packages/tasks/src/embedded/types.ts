import type { SplitName } from './hashing';

/**
 * One labelled example: a text (and a second text for pair tasks) with a class name
 * (classification) or a number (regression).
 *
 * @example
 * ```ts
 * const example: TextExample = { id: 'spam-1/00001', text: 'Dear friend, ...', label: 'spam' };
 * ```
 */
export interface TextExample {
  id: string;
  text: string;
  textPair?: string;
  label: string | number;
  /** The group an example belongs to (a speech, an email group); examples of one group stay in one split. */
  group?: string;
  /** Regression only: the label scaled by the task's `labelScale` (`(label - mean) / std`). */
  normalizedLabel?: number;
}

/** How a regression label is scaled for training: `(label - mean) / std`. */
export interface LabelScale {
  mean: number;
  std: number;
}

/** Sizes and class balance of one split of a classification task. */
export interface ClassificationSplitStats {
  size: number;
  classCounts: Record<string, number>;
  /** Accuracy of always predicting the train split's most frequent class. */
  majorityBaselineAccuracy: number;
}

/** Sizes and label distribution of one split of a regression task. */
export interface RegressionSplitStats {
  size: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  /** Mean squared error of always predicting the train split's mean (Pearson of a constant is undefined). */
  meanBaselineMse: number;
}

/** What {@link computeTaskStats} reports for a task. */
export interface TaskStats {
  kind: 'classification' | 'regression';
  /** The train split's most frequent class (classification only). */
  majorityClass?: string;
  splits: Record<SplitName, ClassificationSplitStats | RegressionSplitStats>;
  /** Distinct groups (speeches, email groups) per split, where examples carry one. */
  groups?: Record<SplitName, number>;
}

/**
 * An embedded task: three splits of {@link TextExample}s, the class names (empty for
 * regression) and statistics.
 *
 * @example
 * ```ts
 * const task = await loadSotuPartyTask();
 * console.log(task.stats.splits.validation.size, task.labels); // ... ['Democratic', 'Republican']
 * ```
 */
export interface EmbeddedTask {
  name: string;
  train: TextExample[];
  validation: TextExample[];
  test: TextExample[];
  labels: string[];
  stats: TaskStats;
  /** Regression only: the scale behind `normalizedLabel` (from the train split). */
  labelScale?: LabelScale;
}
