import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Parameter } from '../nn/parameter';
import { initBackend } from '../tensor/backend';
import { tf } from '../tensor/tf';
import { createAdamW } from './adamw';

interface Golden {
  betas: [number, number];
  eps: number;
  weightDecay: number;
  shapes: Record<string, number[]>;
  decay: Record<string, boolean>;
  initial: Record<string, number[]>;
  steps: Array<{
    learningRate: number;
    gradients: Record<string, number[]>;
    after: Record<string, { value: number[]; expAvg: number[] | null; expAvgSq: number[] | null }>;
  }>;
}

const golden = JSON.parse(readFileSync(new URL('./__fixtures__/adamw-golden.json', import.meta.url), 'utf8')) as Golden;

function expectClose(actual: ArrayLike<number>, expected: number[], tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i])).toBeLessThanOrEqual(tolerance);
}

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('createAdamW', () => {
  it('matches torch.optim.AdamW step for step (golden fixture, 1e-6)', () => {
    // The fixture decays dense.weight and skip.weight only: the default noDecay pattern
    // must exclude dense.bias and LayerNorm.weight by name, without any decay: false flag.
    const parameters = Object.keys(golden.shapes).map(
      (name) => [name, new Parameter(tf.tensor(golden.initial[name], golden.shapes[name]))] as const,
    );
    const optimizer = createAdamW({ betas: golden.betas, eps: golden.eps, weightDecay: golden.weightDecay });
    for (const [name, parameter] of parameters) expect(optimizer.decays(name, parameter)).toBe(golden.decay[name]);
    for (const step of golden.steps) {
      const gradients = Object.fromEntries(
        Object.entries(step.gradients).map(([name, values]) => [name, tf.tensor(values, golden.shapes[name])]),
      );
      optimizer.step(parameters, gradients, step.learningRate);
      tf.dispose(Object.values(gradients));
      const moments = optimizer.stateTensors();
      for (const [name, parameter] of parameters) {
        const expected = step.after[name];
        expectClose(parameter.variable.dataSync(), expected.value, 1e-6);
        if (expected.expAvg !== null && expected.expAvgSq !== null) {
          expectClose(moments[`${name}::exp_avg`].dataSync(), expected.expAvg, 1e-6);
          expectClose(moments[`${name}::exp_avg_sq`].dataSync(), expected.expAvgSq, 1e-6);
        }
      }
    }
    // skip.weight had no gradient at one step, so it took one step fewer.
    expect(optimizer.stepCounts()).toEqual({
      'dense.weight': golden.steps.length,
      'dense.bias': golden.steps.length,
      'LayerNorm.weight': golden.steps.length,
      'skip.weight': golden.steps.length - 1,
    });
    optimizer.dispose();
    for (const [, parameter] of parameters) parameter.dispose();
  });

  it('skips decay for parameters flagged decay: false and applies w(1 - lr·wd) to the rest', () => {
    // With a zero gradient the Adam part is 0 / (0 + eps) = 0, leaving only the decay.
    const flagged = new Parameter(tf.tensor([2, -4]), { decay: false });
    const decayed = new Parameter(tf.tensor([2, -4]));
    const optimizer = createAdamW({ weightDecay: 0.5, noDecay: null });
    const zeros = { flagged: tf.zeros([2]), decayed: tf.zeros([2]) };
    optimizer.step([['flagged', flagged], ['decayed', decayed]], zeros, 0.1);
    expect(Array.from(flagged.variable.dataSync())).toEqual([2, -4]);
    expectClose(decayed.variable.dataSync(), [2 * 0.95, -4 * 0.95], 1e-7);
    tf.dispose(Object.values(zeros));
    optimizer.dispose();
    flagged.dispose();
    decayed.dispose();
  });

  it('with gradientScale s steps exactly as with the float32 products gradient · s (what clipping makes), and rejects s <= 0', () => {
    const run = (scaleInside: boolean) => {
      const parameter = new Parameter(tf.tensor([0.5, -1.25, 3, 0.001]));
      const optimizer = createAdamW({ weightDecay: 0.01 });
      for (const [step, s] of [0.3, 1, 0.0625].entries()) {
        const gradient = tf.tensor([0.2 + step, -0.7, 1e-4, 2.5 * step]);
        const given = scaleInside ? gradient : tf.mul(gradient, s);
        optimizer.step([['w', parameter]], { w: given }, 1e-2, scaleInside ? s : 1);
        tf.dispose([gradient, given]);
      }
      const out = [parameter.variable, ...Object.values(optimizer.stateTensors())].map((t) => Array.from(t.dataSync()));
      optimizer.dispose();
      parameter.dispose();
      return out;
    };
    expect(run(true)).toEqual(run(false));
    const optimizer = createAdamW();
    const parameter = new Parameter(tf.tensor([1]));
    const gradient = tf.tensor([1]);
    expect(() => optimizer.step([['w', parameter]], { w: gradient }, 0.1, 0)).toThrow(/gradient scale/);
    tf.dispose([gradient]);
    optimizer.dispose();
    parameter.dispose();
  });

  it('restores its state exactly through stateTensors / loadState', () => {
    const make = () => new Parameter(tf.tensor([0.5, -1, 2]));
    const gradient = () => tf.tensor([0.3, -0.2, 0.1]);
    const [a, b] = [make(), make()];
    const first = createAdamW();
    const second = createAdamW();
    for (let i = 0; i < 3; i++) {
      const g = gradient();
      first.step([['w', a]], { w: g }, 0.01);
      g.dispose();
    }
    b.assign(a.variable);
    second.loadState({ tensors: first.stateTensors(), steps: first.stepCounts() });
    for (const [optimizer, parameter] of [[first, a], [second, b]] as const) {
      const g = gradient();
      optimizer.step([['w', parameter]], { w: g }, 0.01);
      g.dispose();
    }
    expect(Array.from(b.variable.dataSync())).toEqual(Array.from(a.variable.dataSync()));
    expect(() => second.loadState({ tensors: {}, steps: { w: 1 } })).toThrow(/missing w::exp_avg/);
    first.dispose();
    second.dispose();
    a.dispose();
    b.dispose();
  });
});
