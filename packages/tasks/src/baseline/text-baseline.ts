import type { BatchableExample } from '../batching/text-batcher';
import { labelsOf } from '../batching/text-batcher';
import { computeMetrics } from '../evaluate-metrics';
import type { RunTask } from '../run-task/run-task';
import { fitLogisticRegression, fitRidge, logisticProbabilities, ridgePredictions } from './linear-models';
import { fitTfidf, textTerms, type SparseRows } from './tfidf';

/** What {@link textBaseline} measured: the task's primary metric on the test split, and how the model was chosen. */
export interface BaselineResult {
  /** `tfidf-logistic-regression` (classification) or `tfidf-ridge` (regression). */
  method: 'tfidf-logistic-regression' | 'tfidf-ridge';
  metric: string;
  /** The metric on the test split. */
  value: number;
  /** The metric on the validation split for the chosen setting (null without a validation split). */
  validationValue: number | null;
  /** The chosen regularisation: `C` of the logistic regression, `alpha` of ridge. */
  setting: { c: number } | { alpha: number };
  /** Columns of the TF-IDF matrix (unigrams and bigrams of the training texts). */
  features: number;
}

/** The inverse penalties tried for the logistic regression, and the ridge penalties; the one best on validation is kept. */
const C_GRID = [0.1, 1, 10, 100];
const ALPHA_GRID = [0.1, 1, 10];

/** The terms of an example: its text's, and its pair's kept apart by a prefix. */
function exampleTerms(example: BatchableExample): string[] {
  return example.textPair === undefined ? textTerms(example.text) : [...textTerms(example.text), ...textTerms(example.textPair, '2:')];
}

/**
 * The baseline a transformer must beat on a classification or regression task: TF-IDF of the
 * words and word pairs of the texts (see `fitTfidf`; a pair's second text has its own terms),
 * then multinomial logistic regression (classification) or ridge regression (regression), fitted
 * on the training split with the regularisation chosen on the validation split (C in 0.1, 1, 10,
 * 100; alpha in 0.1, 1, 10; the middle one without a validation split), scored on the test split
 * with the task's primary metric. Matches scikit-learn's TfidfVectorizer + LogisticRegression /
 * Ridge (tested against its outputs).
 *
 * @example
 * ```ts
 * const baseline = textBaseline(await loadRunTask('spam', undefined, options)); // { method: 'tfidf-logistic-regression', metric: 'f1', value: 0.9…, ... }
 * ```
 */
export function textBaseline(task: RunTask): BaselineResult {
  const { specification } = task;
  const vectorizer = fitTfidf(task.train, exampleTerms);
  const train = vectorizer.transform(task.train);
  const validation = task.validation.length > 0 ? vectorizer.transform(task.validation) : undefined;
  const test = vectorizer.transform(task.test);
  const labelling = task.regression ? { regression: true } : { labels: task.labels, regression: false };
  const targets = (examples: readonly BatchableExample[]) => labelsOf(examples, labelling)?.values ?? [];
  const score = (predictions: ArrayLike<number>, examples: readonly BatchableExample[]): number =>
    computeMetrics(specification.metrics, predictions, targets(examples), task.labels.length)[specification.primaryMetric] ?? Number.NaN;
  const trainTargets = targets(task.train);

  const predict: (setting: number, rows: SparseRows) => ArrayLike<number> = task.regression
    ? (() => {
        const models = new Map<number, ReturnType<typeof fitRidge>>();
        return (alpha, rows) => {
          const model = models.get(alpha) ?? fitRidge(train, trainTargets, { alpha });
          models.set(alpha, model);
          return ridgePredictions(model, rows);
        };
      })()
    : (() => {
        const models = new Map<number, ReturnType<typeof fitLogisticRegression>>();
        const classes = task.labels.length;
        return (c, rows) => {
          // scikit-learn's default tolerance (1e-4 on the gradient of the mean loss), on the summed loss.
          const model = models.get(c) ?? fitLogisticRegression(train, trainTargets, classes, { c, tolerance: 1e-4 * train.numRows });
          models.set(c, model);
          const probabilities = logisticProbabilities(model, rows);
          const predicted = new Int32Array(rows.numRows);
          for (let row = 0; row < rows.numRows; row++) {
            let best = 0;
            for (let k = 1; k < classes; k++) if (probabilities[row * classes + k] > probabilities[row * classes + best]) best = k;
            predicted[row] = best;
          }
          return predicted;
        };
      })();
  const grid = task.regression ? ALPHA_GRID : C_GRID;
  let chosen = grid[Math.floor((grid.length - 1) / 2)];
  let validationValue: number | null = null;
  if (validation !== undefined) {
    for (const setting of grid) {
      const value = score(predict(setting, validation), task.validation);
      if (validationValue === null || value > validationValue) {
        validationValue = value;
        chosen = setting;
      }
    }
  }
  return {
    method: task.regression ? 'tfidf-ridge' : 'tfidf-logistic-regression',
    metric: specification.primaryMetric,
    value: score(predict(chosen, test), task.test),
    validationValue,
    setting: task.regression ? { alpha: chosen } : { c: chosen },
    features: train.numColumns,
  };
}
