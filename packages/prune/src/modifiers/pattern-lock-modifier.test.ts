import { createModifier, initBackend, selectTargets, tf, type WeightTransform } from '@pofa/core';
import { BertModel } from '@pofa/models';
import { beforeAll, describe, expect, it } from 'vitest';
import { magnitudeMask } from '../masks/magnitude-mask';
import { sparsityReport } from '../sparsity-report';
import { TINY_BERT, trainTiny } from './__fixtures__/tiny-training';
import { createPatternLockModifier } from './pattern-lock-modifier';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

/** A bert-tiny-like masked LM whose encoder Linear weights are 70% sparse in their raw values. */
function sparseModel(): BertModel {
  const model = new BertModel(TINY_BERT, { task: 'masked-lm', seed: 5 });
  for (const [, parameter] of selectTargets(model)) {
    tf.tidy(() => parameter.assign(tf.mul(parameter.variable, magnitudeMask(parameter.variable, { sparsity: 0.7 }))));
  }
  return model;
}

function zeroPositions(model: BertModel): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [name, parameter] of selectTargets(model)) {
    const values = tf.tidy(() => parameter.value().dataSync());
    out[name] = [];
    for (let i = 0; i < values.length; i++) if (values[i] === 0) out[name].push(i);
  }
  return out;
}

/** Symmetric fake quantization to 4 bits per tensor with a straight-through gradient (0 maps to 0). */
function fakeQuantize(): WeightTransform {
  const quantize = tf.customGrad(((weight: tf.Tensor) => {
    const scale = tf.div(tf.max(tf.abs(weight)), 7);
    return { value: tf.mul(tf.round(tf.div(weight, scale)), scale), gradFunc: (dy: tf.Tensor) => dy };
  }) as never) as (weight: tf.Tensor) => tf.Tensor;
  return { kind: 'test/fake-quantize', apply: (weight) => quantize(weight) };
}

describe('createPatternLockModifier', () => {
  it('keeps every zero exactly where it was through 100 AdamW steps with weight decay', async () => {
    const model = sparseModel();
    const before = zeroPositions(model);
    const sparsityBefore = sparsityReport(model).total.sparsity;
    expect(sparsityBefore).toBeGreaterThan(0.69);
    const lock = createPatternLockModifier();
    const { summary } = await trainTiny([lock], { maxSteps: 100, model, learningRate: 1e-2, weightDecay: 0.1 });
    expect(lock.targetNames()).toHaveLength(12);
    expect(Number.isFinite(summary.finalLoss)).toBe(true);
    expect(zeroPositions(model)).toEqual(before);
    expect(sparsityReport(model).total.sparsity).toBe(sparsityBefore);
    // The kept weights did train: a lock that froze everything would pass the checks above.
    const [name, parameter] = selectTargets(model)[0];
    const kept = tf.tidy(() => parameter.value().dataSync());
    const reference = sparseModel();
    const initial = reference.getParameter(name)!.variable.dataSync();
    expect(kept.some((value, i) => value !== 0 && value !== initial[i])).toBe(true);
    reference.dispose();
    model.dispose();
  });

  it('composes with a transform added later (fake quantization): zeros stay zero', async () => {
    const model = sparseModel();
    const before = zeroPositions(model);
    const quantization = createModifier({
      kind: 'test/qat',
      onInitialize: (context) => {
        for (const [, parameter] of selectTargets(context.model)) parameter.addTransform(fakeQuantize());
      },
    });
    await trainTiny([createPatternLockModifier(), quantization], { maxSteps: 30, model, weightDecay: 0.1 });
    for (const [, parameter] of selectTargets(model)) expect(parameter.transforms.map((transform) => transform.kind)).toEqual(['core/mask', 'test/fake-quantize']);
    const after = zeroPositions(model);
    for (const name of Object.keys(before)) expect(after[name].filter((index) => before[name].includes(index))).toEqual(before[name]);
    model.dispose();
  });

  it('rejects targets that match nothing and unknown options', () => {
    const model = new BertModel(TINY_BERT);
    const lock = createPatternLockModifier({ targets: { include: ['**.nothing.weight'] } });
    expect(() => lock.initialize({ model, step: 0, random: undefined as never, log: () => {} })).toThrow(/match no parameter/);
    expect(() => createPatternLockModifier({ target: {} } as never)).toThrow(/target/);
    model.dispose();
  });
});
