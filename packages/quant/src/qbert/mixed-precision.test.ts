import { createMaskTransform, initBackend, tf, type Module } from '@pofa/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { QuantizationError } from '../errors/quantization-error';
import { ToyMlp } from '../qat/__fixtures__/toy-mlp';
import { applyGroupWiseQuantization, groupSizeFor } from './group-wise';
import { applyMixedPrecision, planMixedPrecision, quantizationPerturbation } from './mixed-precision';
import { formatMixedPrecisionReport } from './mixed-precision-report';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

const targets = { include: ['*.weight'] };

describe('applyGroupWiseQuantization', () => {
  it('gives each group of rows its own range (hand-worked 4-bit case)', () => {
    const model = new ToyMlp(1, 4);
    // [4, 8] weight; only the first 3 columns are non-zero. Groups of 2 rows, 4 bits: integers in [−7, 7].
    const rows = [
      [0.7, -0.33, 0.1],
      [0.2, 0.06, -0.6],
      [7, 1, -2],
      [3.4, -0.4, 0],
    ];
    model.first.weight.assign(tf.tensor2d(rows.map((row) => [...row, 0, 0, 0, 0, 0])));
    const installed = applyGroupWiseQuantization(model, { bits: 4, groups: 2, targets: { include: ['first.weight'] } });
    expect(installed.layers).toMatchObject([{ name: 'first.weight', bits: 4, groupSize: 2 }]);
    // Group 1: max |w| = 0.7 → scale 0.1: 7, −3.3 → −3, 1, 2, 0.6 → 1, −6. Group 2: scale 1: 7, 1, −2, 3, −0.4 → 0, 0.
    const expected = [
      [0.7, -0.3, 0.1],
      [0.2, 0.1, -0.6],
      [7, 1, -2],
      [3, 0, 0],
    ];
    const values = tf.tidy(() => model.first.weight.value().arraySync()) as number[][];
    expected.forEach((row, r) => row.forEach((value, c) => expect(values[r][c]).toBeCloseTo(value, 6)));
    installed.remove();
    expect(model.first.weight.transforms).toHaveLength(0);
  });

  it('keeps masked weights at zero and checks that the groups divide the rows', () => {
    const model = new ToyMlp(2);
    model.first.weight.addTransform(createMaskTransform(tf.tensor2d(Array.from({ length: 16 }, (_, r) => Array.from({ length: 8 }, (_, c) => ((r + c) % 3 === 0 ? 0 : 1))))));
    applyGroupWiseQuantization(model, { bits: 2, groups: 2, targets, bitsByLayer: { 'second.weight': 8 } });
    const values = tf.tidy(() => model.first.weight.value().arraySync()) as number[][];
    values.forEach((row, r) => row.forEach((value, c) => ((r + c) % 3 === 0 ? expect(value).toBe(0) : undefined)));
    expect(groupSizeFor('q', 768, { groups: 12 })).toBe(64);
    expect(() => groupSizeFor('q', 10, { groups: 3 })).toThrow(QuantizationError);
    expect(() => applyGroupWiseQuantization(new ToyMlp(2), { bits: 4, groups: 3, targets })).toThrow(/do not split/);
    expect(() => applyGroupWiseQuantization(new ToyMlp(2), { bits: 4, targets, bitsByLayer: { 'third.weight': 2 } })).toThrow(/not targets/);
  });
});

describe('planMixedPrecision', () => {
  // Loss 100‖W₁‖² + 0.01‖W₂‖²: H = 200·I on the first layer (128 weights) and 0.02·I on the second (32),
  // so Tr = 25600 and 0.64, and the sharp first layer must keep the high bits.
  const loss = (model: Module): tf.Scalar =>
    tf.tidy(() => {
      const { first, second } = model as ToyMlp;
      return tf.add(tf.mul(tf.sum(tf.square(first.weight.value())), 100), tf.mul(tf.sum(tf.square(second.weight.value())), 0.01)) as tf.Scalar;
    });

  it('estimates the traces and keeps 8 bits for the sharp layer under the budget', () => {
    const model = new ToyMlp(3);
    // Budget 7 bits on average = 140 bytes: first 8 + second 2 = 136 fits, both at 8 (160) does not.
    const report = planMixedPrecision(model, { loss, targets, bitChoices: [2, 8], averageBits: 7, samples: 4 });
    expect(report.budgetBytes).toBe(140);
    expect(report.layers.map((layer) => [layer.name, layer.bits])).toEqual([
      ['first.weight', 8],
      ['second.weight', 2],
    ]);
    expect(report.layers[0].trace).toBeCloseTo(25600, -1);
    expect(report.layers[1].trace).toBeCloseTo(0.64, 2);
    expect(report.totalBytes).toBe(136);
    expect(report.averageBits).toBeCloseTo((8 * 128 + 2 * 32) / 160, 10);
    expect(report.layers[0].perturbation[8]).toBeCloseTo(quantizationPerturbation(model.first.weight, 8, 1), 10);
    expect(report.layers[0].perturbation[2]).toBeGreaterThan(report.layers[0].perturbation[8]);

    const markdown = formatMixedPrecisionReport(report);
    expect(markdown).toContain('| first.weight | 128 |');
    expect(markdown).toMatch(/\| second\.weight \| 32 \| .* \| 2 \| 8 \|/);
    expect(markdown).toContain('136 bytes of 140 budgeted');

    const installed = applyMixedPrecision(model, report);
    expect(installed.layers.map((layer) => layer.bits)).toEqual([8, 2]);
    // At 2 bits (integers −1, 0, 1 per row) each row of the second layer takes at most 3 values.
    const second = tf.tidy(() => model.second.weight.value().arraySync()) as number[][];
    for (const row of second) expect(new Set(row.map((value) => value.toFixed(6))).size).toBeLessThanOrEqual(3);
  });

  it('needs exactly one budget', () => {
    expect(() => planMixedPrecision(new ToyMlp(3), { loss, targets })).toThrow(/budgetBytes or averageBits/);
  });
});
