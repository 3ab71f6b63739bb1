import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../tensor/backend';
import { tf } from '../tensor/tf';
import { checkDistillationLoss } from './check-distillation-loss';
import { broken, hintonKd, mse } from './__fixtures__/toy-losses';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

const failedChecks = (failures: Array<{ check: string }>): string[] => [...new Set(failures.map((failure) => failure.check))].sort();
const SCALAR = 'returns a finite float32 scalar';
const GRADIENT = "has a finite gradient of the student's shape with respect to the student";
const LEAKS = 'leaves its inputs alive and leaks no tensors';
const ZERO = 'is zero when the student equals the teacher';
const NON_NEGATIVE = 'is never negative';

describe('checkDistillationLoss', () => {
  it('passes correct losses, with and without a mask, leaking nothing itself', () => {
    const before = tf.memory().numTensors;
    expect(checkDistillationLoss(mse, { options: { weight: 0.5 }, shape: [2, 3, 4] })).toEqual([]);
    expect(checkDistillationLoss(mse, { options: {}, shape: [2, 3, 4], mask: () => tf.tensor2d([[1, 1, 0], [1, 0, 0]]) })).toEqual([]);
    expect(checkDistillationLoss(hintonKd, { options: { temperature: 4 }, shape: [3, 5] })).toEqual([]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects options the schema refuses', () => {
    expect(failedChecks(checkDistillationLoss(mse, { options: { weight: -1 }, shape: [2, 3] }))).toContain(
      'its options schema accepts the given options',
    );
  });

  it.each([
    ['notScalar', [SCALAR]],
    ['notFinite', [SCALAR, GRADIENT]],
    ['offset', [ZERO]],
    ['signed', [NON_NEGATIVE]],
    ['detached', [GRADIENT]],
    ['leaky', [LEAKS]],
    ['disposesTeacher', [LEAKS]],
  ] as const)('detects the broken loss %s', (name, expected) => {
    expect(failedChecks(checkDistillationLoss(broken[name], { options: {}, shape: [2, 3, 4] }))).toEqual([...expected].sort());
  });

  it('lets the caller declare properties the loss does not', () => {
    const undeclared = { ...broken.offset, properties: {} };
    expect(checkDistillationLoss(undeclared, { options: {}, shape: [2, 3] })).toEqual([]);
    expect(failedChecks(checkDistillationLoss(undeclared, { options: {}, shape: [2, 3], zeroWhenEqual: true }))).toEqual([ZERO]);
  });
});
