import { ConfigError, createRandom, initBackend, type LossContext, Linear, Module, ModuleList, tf } from '@pofa/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { hiddenMse } from '../losses/hidden-mse';
import { kdKlDivergence } from '../losses/kd-kl-divergence';
import { createDistillationModifier } from './create-distillation-modifier';
import type { DistillationFeatures } from './distillation-features';
import { distillationPreset } from './distillation-presets';
import { valueAt } from './scheduled-value';

/** A stand-in encoder: inputs [batch, seq, 3] → hidden[0..layers] [batch, seq, width], logits [batch, 2]. */
class TinyEncoder extends Module {
  readonly embed: Linear;
  readonly layers: ModuleList<Linear>;
  readonly head: Linear;

  constructor(width: number, layerCount: number, seed: number) {
    super();
    const random = createRandom(seed);
    this.embed = this.addModule('embed', new Linear(3, width, { random, std: 0.5 }));
    this.layers = this.addModule('layers', new ModuleList(Array.from({ length: layerCount }, () => new Linear(width, width, { random, std: 0.5 }))));
    this.head = this.addModule('head', new Linear(width, 2, { random, std: 0.5 }));
  }

  forward(inputs: tf.Tensor): DistillationFeatures {
    const hidden = [this.embed.forward(inputs)];
    for (const layer of this.layers.items) hidden.push(tf.tanh(layer.forward(hidden[hidden.length - 1])));
    return { hidden, logits: this.head.forward(tf.mean(hidden[hidden.length - 1], 1)), mask: tf.tensor2d([[1, 1, 1], [1, 1, 0]]) };
  }
}

function context(step: number, batch: tf.Tensor, outputs: DistillationFeatures): LossContext {
  return { model: undefined as never, step, random: createRandom(0), log: () => {}, batch, outputs };
}

function number(tensor: tf.Tensor): number {
  return tensor.dataSync()[0];
}

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('createDistillationModifier', () => {
  const batch = () => tf.randomNormal([2, 3, 3], 0, 1, 'float32', 11);

  it('prune-ofa: 0.5 · hard + 0.5 · KL at T = 2, with the teacher in eval mode and frozen', () => {
    const teacher = new TinyEncoder(4, 2, 1);
    const student = new TinyEncoder(4, 1, 2);
    const modifier = createDistillationModifier({ teacher, config: distillationPreset('prune-ofa') });
    modifier.initialize(context(0, batch(), {}));
    expect(teacher.training).toBe(false);
    expect(teacher.parameters().every((parameter) => !parameter.variable.trainable)).toBe(true);
    const inputs = batch();
    const outputs = student.forward(inputs);
    const hard = tf.scalar(1.25);
    const before = tf.memory().numTensors;
    const total = modifier.modifyLoss?.(hard, context(0, inputs, outputs)) as tf.Scalar;
    expect(tf.memory().numTensors).toBe(before + 1); // only the returned loss; teacher outputs are freed
    const expected = 0.5 * 1.25 + 0.5 * number(kdKlDivergence(outputs.logits as tf.Tensor, teacher.forward(inputs).logits as tf.Tensor, { temperature: 2 }));
    expect(number(total)).toBeCloseTo(expected, 5);
  });

  it('trains only the student: one SGD step through modifyLoss leaves every teacher weight unchanged', () => {
    const teacher = new TinyEncoder(4, 2, 3);
    const student = new TinyEncoder(4, 2, 4);
    const modifier = createDistillationModifier({
      teacher,
      config: { hardWeight: 0, softWeight: 1, temperature: 2, intermediate: [{ studentLayer: 2, teacherLayer: 2, feature: 'hidden', loss: 'distill/hidden-mse' }] },
    });
    modifier.initialize(context(0, batch(), {}));
    const before = teacher.parameters().map((parameter) => Array.from(parameter.variable.dataSync()));
    const inputs = batch();
    const studentVariables = student.parameters().map((parameter) => parameter.variable);
    // No variable list: tfjs takes every trainable variable, so a trainable teacher would get gradients.
    const { value, grads } = tf.variableGrads(() => modifier.modifyLoss?.(tf.scalar(0), context(0, inputs, student.forward(inputs))) as tf.Scalar);
    expect(Object.keys(grads).sort()).toEqual(studentVariables.map((variable) => variable.name).sort());
    for (const variable of studentVariables) variable.assign(tf.sub(variable, tf.mul(grads[variable.name], 0.1)));
    expect(teacher.parameters().map((parameter) => Array.from(parameter.variable.dataSync()))).toEqual(before);
    expect(number(value)).toBeGreaterThan(0);
  });

  it('adds intermediate matches through projections for a narrower student', () => {
    const teacher = new TinyEncoder(6, 4, 5);
    const student = new TinyEncoder(4, 2, 6);
    const config = distillationPreset('tinybert', { studentLayers: 2, teacherLayers: 4, studentHidden: 4, teacherHidden: 6 });
    const hiddenOnly = { ...config, intermediate: (config.intermediate ?? []).filter((match) => match.feature !== 'attentionScores') };
    expect(hiddenOnly.intermediate.map((match) => [match.studentLayer, match.teacherLayer])).toEqual([[0, 0], [1, 2], [2, 4]]);
    const modifier = createDistillationModifier({ teacher, config: { ...hiddenOnly, softWeight: 0 }, random: createRandom(9) });
    modifier.initialize(context(0, batch(), {}));
    expect(modifier.projections.length).toBe(3);
    const inputs = batch();
    const outputs = student.forward(inputs);
    const teacherOutputs = teacher.forward(inputs);
    const total = number(modifier.modifyLoss?.(tf.scalar(7), context(0, inputs, outputs)) as tf.Scalar);
    const mask = outputs.mask;
    const expected = [[0, 0], [1, 2], [2, 4]].reduce((sum, [s, t], index) => {
      const projected = modifier.projections.items[index].forward((outputs.hidden as tf.Tensor[])[s]);
      return sum + number(hiddenMse(projected, (teacherOutputs.hidden as tf.Tensor[])[t], { mask }));
    }, 0);
    expect(total).toBeCloseTo(expected, 5); // hardWeight 0 drops the 7
  });

  it('passes the loss through outside [start, end) and ramps scheduled values', () => {
    const teacher = new TinyEncoder(4, 1, 7);
    const modifier = createDistillationModifier({ teacher, config: { start: 10, end: 20 } });
    expect([modifier.start, modifier.end]).toEqual([10, 20]);
    const loss = tf.scalar(3);
    expect(() => modifier.modifyLoss?.(loss, context(10, batch(), {}))).toThrow(/before initialize/);
    modifier.initialize(context(0, batch(), {}));
    expect(modifier.modifyLoss?.(loss, context(5, batch(), {}))).toBe(loss);
    expect(modifier.modifyLoss?.(loss, context(20, batch(), {}))).toBe(loss);
    expect(valueAt({ from: 4, to: 1, startStep: 100, endStep: 200 }, 150)).toBe(2.5);
    expect(valueAt({ from: 4, to: 1, startStep: 100, endStep: 200 }, 0)).toBe(4);
    expect(valueAt({ from: 4, to: 1, startStep: 100, endStep: 200 }, 500)).toBe(1);
  });

  it('rejects unknown losses, bad temperatures and missing features up front or by name', () => {
    const teacher = new TinyEncoder(4, 1, 8);
    expect(() => createDistillationModifier({ teacher, config: { softLoss: 'distill/nope' } })).toThrow(/distill\/kd-kl-divergence/);
    expect(() => createDistillationModifier({ teacher, config: { temperature: 0 } })).toThrow(ConfigError);
    const modifier = createDistillationModifier({
      teacher, config: { softWeight: 0, intermediate: [{ studentLayer: 1, teacherLayer: 1, feature: 'attentionProbs', loss: 'distill/attention-kl' }] },
    });
    modifier.initialize(context(0, batch(), {}));
    const inputs = batch();
    expect(() => modifier.modifyLoss?.(tf.scalar(0), context(0, inputs, new TinyEncoder(4, 1, 9).forward(inputs)))).toThrow(/attentionProbs/);
  });

  it('builds every preset as a valid config', () => {
    const shape = { studentLayers: 6, teacherLayers: 12, studentHidden: 384, teacherHidden: 768 };
    const teacher = new TinyEncoder(4, 1, 10);
    for (const name of ['prune-ofa', 'distilbert', 'tinybert', 'pkd', 'minilm'] as const) {
      expect(() => createDistillationModifier({ teacher, config: distillationPreset(name, shape) }).projections.dispose()).not.toThrow();
    }
    const pkd = distillationPreset('pkd', shape).intermediate ?? [];
    expect(pkd.map((match) => match.teacherLayer)).toEqual([2, 4, 6, 8, 10]);
    expect(() => distillationPreset('tinybert')).toThrow(ConfigError);
  });
});
