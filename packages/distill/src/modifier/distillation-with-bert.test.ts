import { createRandom, initBackend, type LossContext, tf } from '@pofa/core';
import { createBertConfig, createModel, type ModelInputs } from '@pofa/models';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDistillationModifier } from './create-distillation-modifier';
import { distillationPreset } from './distillation-presets';

const base = { vocab_size: 30, max_position_embeddings: 8, hidden_dropout_prob: 0, attention_probs_dropout_prob: 0 };
const batch: ModelInputs = { inputIds: [[2, 5, 7, 3], [2, 9, 3, 0]], attentionMask: [[1, 1, 1, 1], [1, 1, 1, 0]] };

function context(outputs: unknown): LossContext {
  return { model: undefined as never, step: 0, random: createRandom(0), log: () => {}, batch, outputs };
}

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('distillation between real @pofa/models BERTs', () => {
  it.each(['tinybert', 'minilm', 'distilbert'] as const)('%s: finite loss, gradients for the student and its projections, teacher untouched', (preset) => {
    // Teacher 4 layers × 16 wide, student 2 layers × 8 wide, both with 2 heads (head dims 8 and 4).
    const teacher = createModel(createBertConfig({ ...base, hidden_size: 16, num_hidden_layers: 4, num_attention_heads: 2, intermediate_size: 32 }), { task: 'masked-lm', seed: 1 });
    const student = createModel(createBertConfig({ ...base, hidden_size: 8, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 16 }), { task: 'masked-lm', seed: 2 });
    const config = distillationPreset(preset, { studentLayers: 2, teacherLayers: 4, studentHidden: 8, teacherHidden: 16 });
    const modifier = createDistillationModifier({ teacher, config, random: createRandom(3) });
    // Every preset with hidden-state matches projects the 8-wide student to the 16-wide teacher.
    if (preset !== 'minilm') expect(modifier.projections.length).toBeGreaterThan(0);
    modifier.initialize(context(undefined));
    const teacherBefore = teacher.parameters().map((parameter) => Array.from(parameter.variable.dataSync()));
    const trained = [...student.parameters(), ...modifier.projections.parameters()].map((parameter) => parameter.variable);
    const { value, grads } = tf.variableGrads(() => {
      const outputs = student.forward(batch, { training: true, features: { hidden: true, attentionScores: true, attentionProbs: true, values: true } });
      return modifier.modifyLoss?.(tf.scalar(0), context(outputs)) as tf.Scalar;
    }, trained);
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    expect(value.dataSync()[0]).toBeGreaterThan(0);
    const norms = Object.values(grads).map((gradient) => tf.sum(tf.abs(gradient)).dataSync()[0]);
    expect(norms.every(Number.isFinite)).toBe(true);
    if (modifier.projections.length > 0) {
      const projectionWeight = modifier.projections.items[0].linear.weight.variable.name;
      expect(tf.sum(tf.abs(grads[projectionWeight])).dataSync()[0]).toBeGreaterThan(0);
    }
    expect(teacher.parameters().map((parameter) => Array.from(parameter.variable.dataSync()))).toEqual(teacherBefore);
    expect(teacher.training).toBe(false);
    tf.dispose([value, ...Object.values(grads)]);
  });
});
