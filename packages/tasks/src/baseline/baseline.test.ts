import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EMBEDDED_TASK_SPECIFICATIONS } from '../task-spec';
import type { RunTask } from '../run-task/run-task';
import { fitLogisticRegression, fitRidge, lbfgs, logisticProbabilities, ridgePredictions } from './linear-models';
import { fitTfidf, textTerms } from './tfidf';
import { textBaseline } from './text-baseline';

/** scikit-learn 1.2's outputs (scripts/make-baseline-fixtures.py). */
const golden = JSON.parse(readFileSync(new URL('./__fixtures__/sklearn-baseline.json', import.meta.url), 'utf8')) as {
  train: Array<{ text: string; label: string; target: number }>;
  test: Array<{ text: string; label: string; target: number }>;
  features: number;
  firstTestFeatures: Record<string, number>;
  classes: string[];
  probabilities: number[][];
  exactProbabilities: number[][];
  ridge: number[];
};
const terms = (row: { text: string }) => textTerms(row.text);

describe('TF-IDF', () => {
  it('keeps words of two or more characters, lowercased, and their bigrams', () => {
    expect(textTerms('The storm, a COLD storm')).toEqual(['the', 'storm', 'cold', 'storm', 'the storm', 'storm cold', 'cold storm']);
    expect(textTerms('x y', '2:')).toEqual([]);
  });

  it('gives scikit-learn TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True) features', () => {
    const vectorizer = fitTfidf(golden.train, terms);
    expect(vectorizer.vocabulary.size).toBe(golden.features);
    const rows = vectorizer.transform(golden.test.slice(0, 1));
    const ours: Record<string, number> = {};
    const names = [...vectorizer.vocabulary.keys()];
    for (let k = rows.rowStart[0]; k < rows.rowStart[1]; k++) ours[names[rows.columns[k]]] = rows.values[k];
    expect(Object.keys(ours).sort()).toEqual(Object.keys(golden.firstTestFeatures).sort());
    for (const [term, value] of Object.entries(golden.firstTestFeatures)) expect(ours[term]).toBeCloseTo(value, 12);
  });
});

describe('linear models', () => {
  it('L-BFGS finds the minimum of a convex quadratic', () => {
    const x = new Float64Array([5, -3]);
    lbfgs(x, (point, gradient) => {
      gradient[0] = 2 * (point[0] - 1) + point[1];
      gradient[1] = 4 * (point[1] + 2) + point[0];
      return (point[0] - 1) ** 2 + 2 * (point[1] + 2) ** 2 + point[0] * point[1];
    }, { tolerance: 1e-12 });
    // Solved by hand: 2(x−1) + y = 0 and 4(y+2) + x = 0 → x = 16/7, y = −18/7.
    expect(x[0]).toBeCloseTo(16 / 7, 7);
    expect(x[1]).toBeCloseTo(-18 / 7, 7);
  });

  it('multinomial logistic regression reaches the optimum of scikit-learn LogisticRegression(C=10)', () => {
    const vectorizer = fitTfidf(golden.train, terms);
    const labels = golden.train.map((row) => golden.classes.indexOf(row.label));
    const model = fitLogisticRegression(vectorizer.transform(golden.train), labels, golden.classes.length, { c: 10, tolerance: 1e-10 });
    const probabilities = logisticProbabilities(model, vectorizer.transform(golden.test));
    const classes = golden.classes.length;
    // The exact optimum of the objective (scipy to a gradient below 1e-8), and scikit-learn's answer (its lbfgs stops near a gradient of 1e-4).
    golden.exactProbabilities.forEach((expected, row) => expected.forEach((value, k) => expect(probabilities[row * classes + k]).toBeCloseTo(value, 6)));
    golden.probabilities.forEach((expected, row) => expected.forEach((value, k) => expect(Math.abs(probabilities[row * classes + k] - value)).toBeLessThan(1e-4)));
  });

  it('ridge regression gives scikit-learn Ridge(alpha=1) predictions', () => {
    const vectorizer = fitTfidf(golden.train, terms);
    const model = fitRidge(vectorizer.transform(golden.train), golden.train.map((row) => row.target), { alpha: 1 });
    const predicted = ridgePredictions(model, vectorizer.transform(golden.test));
    golden.ridge.forEach((value, row) => expect(predicted[row]).toBeCloseTo(value, 6));
  });
});

describe('textBaseline', () => {
  const task = (regression: boolean): RunTask => ({
    kind: 'classification',
    name: 'topics',
    train: golden.train.map((row) => ({ text: row.text, label: regression ? row.target : row.label })),
    validation: golden.test.slice(0, 15).map((row) => ({ text: row.text, label: regression ? row.target : row.label })),
    test: golden.test.slice(15).map((row) => ({ text: row.text, label: regression ? row.target : row.label })),
    labels: regression ? [] : golden.classes,
    regression,
    specification: regression
      ? { ...EMBEDDED_TASK_SPECIFICATIONS['embedded/sotu-year'], labels: undefined }
      : { ...EMBEDDED_TASK_SPECIFICATIONS['embedded/sotu-party'], labels: golden.classes, metrics: ['accuracy'], primaryMetric: 'accuracy' },
    identity: 'topics',
  });

  it('scores a classification task with the C chosen on validation, above chance', () => {
    const result = textBaseline(task(false));
    expect(result.method).toBe('tfidf-logistic-regression');
    expect(result.metric).toBe('accuracy');
    expect([0.1, 1, 10, 100]).toContain((result.setting as { c: number }).c);
    // Three topics with three topic words per sentence: far above the 1/3 of chance.
    expect(result.value).toBeGreaterThan(0.8);
    expect(result.validationValue).toBeGreaterThan(0.8);
  });

  it('scores a regression task with ridge', () => {
    const result = textBaseline(task(true));
    expect(result.method).toBe('tfidf-ridge');
    expect(result.metric).toBe(EMBEDDED_TASK_SPECIFICATIONS['embedded/sotu-year'].primaryMetric);
    expect(result.value).toBeGreaterThan(0.5);
  });
});
