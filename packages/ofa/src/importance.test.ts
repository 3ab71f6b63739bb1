import { initBackend, tf, type Parameter, type WeightTransform } from '@pofa/core';
import { sequenceClassificationLoss, type EncoderModel } from '@pofa/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disposeBatch, toyBatch, toyBert, toyDistilBert, type ToyBatch } from './__fixtures__/toy-models';
import { computeImportance, modelInputs } from './importance';
import { supernetLayers, supernetShape } from './supernet-layers';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

let batches: ToyBatch[] = [];
afterAll(() => batches.forEach(disposeBatch));

/** Scales rows (axis 0) or columns (axis 1) of a weight by `scale` repeated `repeat` times each. */
function scaling(scale: tf.Variable, repeat: number, axis: 0 | 1, rank: number): WeightTransform {
  return {
    kind: 'test/scale',
    apply: (weight) => {
      const expanded = tf.reshape(tf.tile(tf.reshape(scale, [-1, 1]), [1, repeat]), [-1]);
      if (rank === 1) return tf.mul(weight, expanded);
      return tf.mul(weight, axis === 0 ? tf.reshape(expanded, [-1, 1]) : tf.reshape(expanded, [1, -1]));
    },
  };
}

/**
 * The definition itself: |∂L/∂m_h| for a head mask scaling head h's values and |∂L/∂s_j| +
 * |∂L/∂t_j| for scales of neuron j's input row and output column, by autodiff through
 * explicit mask variables.
 */
function byMaskGradients(model: EncoderModel, batch: ToyBatch) {
  const shape = supernetShape(model);
  const layers = supernetLayers(model);
  const added: Array<[Parameter, WeightTransform]> = [];
  const variables = layers.map(() => ({ head: tf.variable(tf.ones([shape.heads])), input: tf.variable(tf.ones([shape.ffn])), output: tf.variable(tf.ones([shape.ffn])) }));
  layers.forEach((layer, index) => {
    const { head, input, output } = variables[index];
    const add = (parameter: Parameter | undefined, transform: WeightTransform) => {
      if (parameter === undefined) return;
      parameter.addTransform(transform);
      added.push([parameter, transform]);
    };
    add(layer.value.weight, scaling(head, shape.headSize, 0, 2));
    add(layer.value.bias, scaling(head, shape.headSize, 0, 1));
    add(layer.intermediate.weight, scaling(input, 1, 0, 2));
    add(layer.intermediate.bias, scaling(input, 1, 0, 1));
    add(layer.ffnOutput.weight, scaling(output, 1, 1, 2));
  });
  const list = variables.flatMap(({ head, input, output }) => [head, input, output]);
  const { value, grads } = tf.variableGrads(() => {
    const { logits } = model.forward(modelInputs(model, batch), { training: false });
    return sequenceClassificationLoss(logits!, batch.labels);
  }, list);
  const read = (variable: tf.Variable) => Array.from(grads[variable.name].dataSync(), Math.abs);
  const heads = variables.map(({ head }) => read(head));
  const neurons = variables.map(({ input, output }) => read(input).map((value, j) => value + read(output)[j]));
  for (const [parameter, transform] of added) parameter.removeTransform(transform);
  tf.dispose([value, ...Object.values(grads), ...list]);
  return { heads, neurons };
}

function expectClose(actual: number[][], expected: number[][]): void {
  const scale = Math.max(...expected.flat());
  expect(scale).toBeGreaterThan(0);
  actual.flat().forEach((value, i) => expect(Math.abs(value - expected.flat()[i])).toBeLessThan(1e-5 * scale + 1e-7));
}

describe('computeImportance', () => {
  it.each([
    ['BERT', () => toyBert(4)],
    ['DistilBERT', () => toyDistilBert(5)],
  ] as Array<[string, () => EncoderModel]>)('equals the head-mask and neuron-scale gradients summed over batches (%s)', (_name, make) => {
    const model = make();
    batches = [toyBatch(11), toyBatch(12, 2, 6)];
    const expected = batches.map((batch) => byMaskGradients(model, batch));
    const summed = {
      heads: expected[0].heads.map((row, l) => row.map((value, h) => value + expected[1].heads[l][h])),
      neurons: expected[0].neurons.map((row, l) => row.map((value, j) => value + expected[1].neurons[l][j])),
    };
    const before = tf.memory().numTensors;
    const importance = computeImportance(model, batches);
    expect(tf.memory().numTensors).toBe(before);
    expect(importance.heads.map((row) => row.length)).toEqual([4, 4]);
    expect(importance.neurons.map((row) => row.length)).toEqual([24, 24]);
    expectClose(importance.heads, summed.heads);
    expectClose(importance.neurons, summed.neurons);
    expect(model.training).toBe(true); // mode restored
    model.dispose();
  });

  it('disposes the batches when asked and rejects an empty calibration set', () => {
    const model = toyBert(6);
    const own = [toyBatch(21)];
    computeImportance(model, own.map((batch) => ({ ...batch, dispose: () => disposeBatch(batch) })), { disposeBatches: true });
    expect(own[0].inputIds.isDisposed).toBe(true);
    expect(() => computeImportance(model, [])).toThrow(/no batches/);
    model.dispose();
  });
});
