import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@pofa/core';
import { MetricInputError } from '../errors/metric-input-error';
import { accuracy } from './accuracy';
import { f1Score } from './f1-score';
import { matthewsCorrelation } from './matthews-correlation';
import { pearsonCorrelation } from './pearson-correlation';
import { averageRanks, spearmanCorrelation } from './spearman-correlation';

interface ClassificationCase {
  name: string;
  predictions: number[];
  labels: number[];
  average: 'binary' | 'macro';
  positiveLabel: number;
  accuracy: number;
  f1: number;
  matthews: number;
}
interface CorrelationCase {
  name: string;
  x: number[];
  y: number[];
  pearson: number | null;
  spearman: number | null;
}

// Golden values from scikit-learn and SciPy: scripts/make-metric-fixtures.py.
const fixture = JSON.parse(readFileSync(new URL('./__fixtures__/metrics.json', import.meta.url), 'utf8')) as {
  classification: ClassificationCase[];
  correlation: CorrelationCase[];
};

function expectClose(actual: number, expected: number | null): void {
  if (expected === null) expect(actual).toBeNaN();
  else expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-9);
}

describe('classification metrics agree with scikit-learn', () => {
  it.each(fixture.classification.map((testCase) => [testCase.name, testCase] as const))('%s', (_, testCase) => {
    expectClose(accuracy(testCase.predictions, testCase.labels), testCase.accuracy);
    expectClose(
      f1Score(testCase.predictions, testCase.labels, { average: testCase.average, positiveLabel: testCase.positiveLabel }),
      testCase.f1,
    );
    expectClose(matthewsCorrelation(testCase.predictions, testCase.labels), testCase.matthews);
  });

  it('covers the edge cases the brief lists', () => {
    const names = fixture.classification.map((testCase) => testCase.name).join('|');
    for (const name of ['one class only', 'constant predictions', 'all wrong', 'macro']) expect(names).toContain(name);
  });

  it('accepts typed arrays', () => {
    expect(accuracy(new Int32Array([1, 0, 1, 1]), new Float32Array([1, 0, 0, 1]))).toBe(0.75);
  });
});

describe('correlations agree with SciPy', () => {
  it.each(fixture.correlation.map((testCase) => [testCase.name, testCase] as const))('%s', (_, testCase) => {
    expectClose(pearsonCorrelation(testCase.x, testCase.y), testCase.pearson);
    expectClose(spearmanCorrelation(testCase.x, testCase.y), testCase.spearman);
  });

  it('gives tied values their average rank', () => {
    expect(averageRanks([10, 20, 10, 30, 20, 20])).toEqual([1.5, 4, 1.5, 6, 4, 4]);
  });

  it('returns NaN for constant input, as SciPy does', () => {
    expect(pearsonCorrelation([3, 3, 3], [1, 2, 4])).toBeNaN();
    expect(spearmanCorrelation([1, 2, 4], [0, 0, 0])).toBeNaN();
  });
});

describe('input validation', () => {
  it('rejects a length mismatch with the two lengths', () => {
    expect(() => accuracy([1, 0], [1])).toThrowError(MetricInputError);
    expect(() => matthewsCorrelation([1, 0], [1])).toThrowError(/same length as predictions \(2\).*received 1 labels/);
  });

  it('rejects empty inputs and single pairs for correlations', () => {
    expect(() => accuracy([], [])).toThrowError(/too few examples/);
    expect(() => f1Score([], [])).toThrowError(MetricInputError);
    expect(() => pearsonCorrelation([1], [2])).toThrowError(/at least 2 examples/);
  });

  it('rejects values that are not finite numbers', () => {
    expect(() => accuracy([1, Number.NaN], [1, 0])).toThrowError(/predictions\[1\] is not a finite number/);
    expect(() => accuracy([1, 0], 'ab' as unknown as number[])).toThrowError(/labels must be an array/);
  });

  it("rejects more than two classes, or a missing positive label, for average 'binary' like scikit-learn", () => {
    expect(() => f1Score([0, 1, 2], [0, 1, 1])).toThrowError(/at most two classes.*macro/);
    expect(() => f1Score([2, 3, 3], [3, 2, 3])).toThrowError(/positive label is not one of the classes/);
    expect(f1Score([2, 3, 3], [3, 2, 3], { positiveLabel: 3 })).toBeCloseTo(0.5, 12);
    expect(f1Score([0, 0], [0, 0])).toBe(0);
  });

  it('rejects unknown options with a ConfigError', () => {
    expect(() => f1Score([1], [1], { average: 'micro' as 'macro' })).toThrowError(ConfigError);
  });
});
