import { readFileSync } from 'node:fs';
import { initBackend, tf } from '@pofa/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attentionKl } from './attention-kl';
import { attentionMse } from './attention-mse';
import { cosineEmbeddingLoss } from './cosine-embedding-loss';
import { hiddenMse } from './hidden-mse';
import { kdCrossEntropy } from './kd-cross-entropy';
import { kdKlDivergence } from './kd-kl-divergence';
import { logitsMse } from './logits-mse';
import { pkdLoss } from './pkd-loss';
import { valueRelationKl } from './value-relation-kl';

interface FlatTensor {
  shape: number[];
  data: number[];
}

interface GoldenCase {
  loss: string;
  name: string;
  options: { temperature?: number };
  student: FlatTensor;
  teacher: FlatTensor;
  mask: FlatTensor | null;
  value: number;
  gradient: FlatTensor;
}

type LossFunction = (student: tf.Tensor, teacher: tf.Tensor, options: { temperature?: number; mask?: tf.Tensor }) => tf.Scalar;

const LOSSES: Record<string, LossFunction> = {
  kdCrossEntropy,
  kdKlDivergence,
  logitsMse,
  hiddenMse,
  attentionMse,
  attentionKl,
  cosineEmbeddingLoss,
  pkdLoss: (student, teacher) => pkdLoss(student, teacher),
  valueRelationKl,
};

// Made by scripts/make-loss-fixtures.py with torch 1.13 in float64 from the definitions.
const fixture = JSON.parse(readFileSync(new URL('../__fixtures__/losses.json', import.meta.url), 'utf8')) as {
  cases: GoldenCase[];
};

/**
 * float32 tolerance. Unit roundoff is 6e-8; each value here is a sum of at most ~100 terms
 * after exp/log, so the accumulated relative error stays well under 1e-5 of the largest
 * term. Gradient entries can be near 0 while their neighbours are O(1), so the absolute part
 * scales with the largest expected magnitude in the same array: |a − e| ≤ 1e-5·|e| + 1e-6·max|e|.
 */
function expectClose(actual: ArrayLike<number>, expected: number[], what: string): void {
  expect(actual.length, what).toBe(expected.length);
  const scale = Math.max(1e-3, ...expected.map(Math.abs));
  for (let i = 0; i < expected.length; i++) {
    const tolerance = 1e-5 * Math.abs(expected[i]) + 1e-6 * scale;
    if (Math.abs(actual[i] - expected[i]) > tolerance) {
      expect.fail(`${what}[${i}]: expected ${expected[i]}, received ${actual[i]} (tolerance ${tolerance})`);
    }
  }
}

describe.each(['cpu', 'wasm'] as const)('losses against torch golden values (%s backend)', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend });
  });

  afterAll(() => {
    tf.disposeVariables();
  });

  it('runs on the requested backend and covers every loss with a case', () => {
    expect(tf.getBackend()).toBe(backend);
    expect(new Set(fixture.cases.map((item) => item.loss))).toEqual(new Set(Object.keys(LOSSES)));
  });

  it.each(fixture.cases.map((item) => [`${item.loss}: ${item.name}`, item] as const))('%s', (_, item) => {
    const loss = LOSSES[item.loss];
    const student = tf.tensor(item.student.data, item.student.shape);
    const teacher = tf.tensor(item.teacher.data, item.teacher.shape);
    const mask = item.mask === null ? undefined : tf.tensor(item.mask.data, item.mask.shape);
    const options = { ...item.options, mask };
    const before = tf.memory().numTensors;
    const { value, grad } = tf.valueAndGrad((input: tf.Tensor) => loss(input, teacher, options))(student);
    expectClose([value.dataSync()[0]], [item.value], 'value');
    expectClose(grad.dataSync(), item.gradient.data, 'gradient');
    expect(grad.shape).toEqual(item.gradient.shape);
    tf.dispose([value, grad]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([student, teacher, mask ?? []]);
  });
});
