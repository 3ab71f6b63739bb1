import { z } from 'zod';
import { ConfigError } from '@pofa/core';
import { MetricInputError } from '../errors/metric-input-error';
import { validatePairedInputs } from './validate-inputs';

/**
 * Options of {@link f1Score}.
 *
 * @example
 * ```ts
 * F1ScoreOptionsSchema.parse({ average: 'macro' }); // { average: 'macro', positiveLabel: 1 }
 * ```
 */
export const F1ScoreOptionsSchema = z
  .object({
    /** `'binary'`: F1 of `positiveLabel`; `'macro'`: unweighted mean of every class's F1. */
    average: z.enum(['binary', 'macro']).default('binary'),
    /** The class scored when `average` is `'binary'`. */
    positiveLabel: z.number().finite().default(1),
  })
  .strict();

/** Options of {@link f1Score}, as the caller writes them. */
export type F1ScoreOptions = z.input<typeof F1ScoreOptionsSchema>;

/**
 * The F1 score in [0, 1] with scikit-learn's `f1_score` semantics (`zero_division=0`): a class
 * with no true positive scores 0. `'binary'` allows at most two distinct values among
 * predictions and labels, and throws when both are present but neither is `positiveLabel`;
 * `'macro'` averages over the sorted union of the classes in predictions and labels.
 *
 * @example
 * ```ts
 * f1Score([1, 1, 0, 0], [1, 0, 1, 0]); // 0.5
 * f1Score([0, 2, 1, 2], [0, 1, 1, 2], { average: 'macro' }); // (1 + 2/3 + 2/3) / 3
 * ```
 */
export function f1Score(
  predictions: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: F1ScoreOptions = {},
): number {
  const parsed = F1ScoreOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new ConfigError('f1Score: invalid options', {
      expected: "{ average?: 'binary' | 'macro', positiveLabel?: number }",
      received: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`).join('; '),
    });
  }
  const { average, positiveLabel } = parsed.data;
  validatePairedInputs('f1Score', predictions, labels);
  const classes = new Set<number>();
  for (let index = 0; index < labels.length; index += 1) {
    classes.add(labels[index]);
    classes.add(predictions[index]);
  }
  if (average === 'macro') {
    const sorted = [...classes].sort((left, right) => left - right);
    let total = 0;
    for (const label of sorted) total += classF1(predictions, labels, label);
    return total / sorted.length;
  }
  if (classes.size > 2) {
    throw new MetricInputError("f1Score: average 'binary' needs at most two classes", {
      expected: 'predictions and labels drawn from two classes',
      received: `${classes.size} classes [${[...classes].sort((left, right) => left - right).join(', ')}]`,
      hint: "Use { average: 'macro' } for multi-class tasks",
    });
  }
  if (classes.size === 2 && !classes.has(positiveLabel)) {
    throw new MetricInputError('f1Score: the positive label is not one of the classes', {
      expected: `positiveLabel among [${[...classes].sort((left, right) => left - right).join(', ')}]`,
      received: `${positiveLabel}`,
      hint: 'Pass { positiveLabel } naming the class to score',
    });
  }
  return classF1(predictions, labels, positiveLabel);
}

/** F1 of one class against the rest; 0 when it has no true positive. */
function classF1(predictions: ArrayLike<number>, labels: ArrayLike<number>, label: number): number {
  let truePositives = 0;
  let falsePositives = 0;
  let falseNegatives = 0;
  for (let index = 0; index < labels.length; index += 1) {
    const predicted = predictions[index] === label;
    const actual = labels[index] === label;
    if (predicted && actual) truePositives += 1;
    else if (predicted) falsePositives += 1;
    else if (actual) falseNegatives += 1;
  }
  if (truePositives === 0) return 0;
  const precision = truePositives / (truePositives + falsePositives);
  const recall = truePositives / (truePositives + falseNegatives);
  return (2 * precision * recall) / (precision + recall);
}
