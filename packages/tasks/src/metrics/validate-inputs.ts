import { describeValue } from '@pofa/core';
import { MetricInputError } from '../errors/metric-input-error';

/**
 * Checks the two arrays a metric compares: same length, at least `minimumLength` items,
 * every item a finite number. Throws a {@link MetricInputError} naming the metric.
 */
export function validatePairedInputs(
  metric: string,
  first: ArrayLike<number>,
  second: ArrayLike<number>,
  names: [string, string] = ['predictions', 'labels'],
  minimumLength = 1,
): void {
  for (const [values, name] of [
    [first, names[0]],
    [second, names[1]],
  ] as const) {
    if (values === null || typeof values !== 'object' || typeof values.length !== 'number') {
      throw new MetricInputError(`${metric}: ${name} must be an array of numbers`, {
        expected: 'an array (or typed array) of numbers',
        received: describeValue(values),
      });
    }
  }
  if (first.length !== second.length) {
    throw new MetricInputError(`${metric}: ${names[0]} and ${names[1]} differ in length`, {
      expected: `${names[1]} of the same length as ${names[0]} (${first.length})`,
      received: `${second.length} ${names[1]}`,
      hint: 'Score each example once: pair every prediction with its label',
    });
  }
  if (first.length < minimumLength) {
    throw new MetricInputError(`${metric}: too few examples to score`, {
      expected: `at least ${minimumLength} ${minimumLength === 1 ? 'example' : 'examples'}`,
      received: `${first.length}`,
      hint: minimumLength === 1 ? 'An empty evaluation set has no score' : undefined,
    });
  }
  for (const [values, name] of [
    [first, names[0]],
    [second, names[1]],
  ] as const) {
    for (let index = 0; index < values.length; index += 1) {
      if (!Number.isFinite(values[index])) {
        throw new MetricInputError(`${metric}: ${name}[${index}] is not a finite number`, {
          expected: 'finite numbers',
          received: describeValue(values[index]),
        });
      }
    }
  }
}
