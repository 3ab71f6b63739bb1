import { ConfigError, initBackend, tf } from '@pofa/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { BertModel } from './bert/bert-model';
import { createBertConfig } from './config/bert-config';
import { createDistilBertConfig } from './config/distilbert-config';
import type { EncoderModel } from './model';
import { initStudentFromTeacher, studentLayerMap } from './student-init';

const shape = { vocab_size: 30, hidden_size: 16, num_attention_heads: 2, intermediate_size: 20, max_position_embeddings: 8 };
const inputIds = [[2, 5, 7, 3], [2, 9, 3, 0]];
const attentionMask = [[1, 1, 1, 1], [1, 1, 1, 0]];

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

function values(model: EncoderModel, name: string): number[] {
  return Array.from(model.getParameter(name)!.variable.dataSync());
}

function logits(model: EncoderModel): tf.Tensor {
  const outputs = model.forward({ inputIds, attentionMask }, { training: false });
  const kept = tf.clone(outputs.logits!);
  tf.dispose(outputs as unknown as tf.TensorContainer);
  return kept;
}

describe('studentLayerMap', () => {
  it('implements skip, last, first and explicit maps (zero-based)', () => {
    expect(studentLayerMap(12, 6, 'skip')).toEqual([1, 3, 5, 7, 9, 11]);
    expect(studentLayerMap(12, 4, 'skip')).toEqual([2, 5, 8, 11]);
    expect(studentLayerMap(12, 5, 'skip')).toEqual([1, 3, 6, 8, 11]);
    expect(studentLayerMap(12, 4, 'last')).toEqual([8, 9, 10, 11]);
    expect(studentLayerMap(12, 3, 'first')).toEqual([0, 1, 2]);
    expect(studentLayerMap(12, 6, [0, 2, 4, 7, 9, 11])).toEqual([0, 2, 4, 7, 9, 11]);
    expect(() => studentLayerMap(12, 2, [0, 12])).toThrow(/points past the teacher/);
    expect(() => studentLayerMap(12, 3, [0, 1])).toThrow(ConfigError);
  });
});

describe('initStudentFromTeacher', () => {
  it('copies embeddings, the chosen layers and the head', () => {
    const teacher = new BertModel({ ...shape, num_hidden_layers: 4 }, { task: 'masked-lm', seed: 1 });
    const { student, teacherLayers, skipped } = initStudentFromTeacher(teacher, createBertConfig({ ...shape, num_hidden_layers: 2 }), { layers: [0, 3], seed: 9 });
    expect(teacherLayers).toEqual([0, 3]);
    expect(skipped).toEqual([]);
    expect(values(student, 'embeddings.word_embeddings.weight')).toEqual(values(teacher, 'embeddings.word_embeddings.weight'));
    expect(values(student, 'encoder.layer.0.attention.self.query.weight')).toEqual(values(teacher, 'encoder.layer.0.attention.self.query.weight'));
    expect(values(student, 'encoder.layer.1.output.dense.weight')).toEqual(values(teacher, 'encoder.layer.3.output.dense.weight'));
    expect(values(student, 'encoder.layer.1.output.dense.weight')).not.toEqual(values(teacher, 'encoder.layer.1.output.dense.weight'));
    expect(values(student, 'cls.predictions.transform.dense.weight')).toEqual(values(teacher, 'cls.predictions.transform.dense.weight'));
    teacher.dispose();
    student.dispose();
  });

  it('gives a full-depth copy the teacher\'s outputs, and a new head when the task changes', () => {
    const teacher = new BertModel({ ...shape, num_hidden_layers: 2 }, { task: 'masked-lm', seed: 2 });
    const { student } = initStudentFromTeacher(teacher, createBertConfig({ ...shape, num_hidden_layers: 2 }), { layers: 'first' });
    const [a, b] = [logits(teacher), logits(student)];
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBe(0);
    const classifier = initStudentFromTeacher(teacher, createBertConfig({ ...shape, num_hidden_layers: 1 }), { layers: 'last', task: 'sequence-classification' });
    expect(classifier.skipped.sort()).toEqual(['classifier.bias', 'classifier.weight', 'pooler.dense.bias', 'pooler.dense.weight']);
    tf.dispose([a, b]);
    for (const model of [teacher, student, classifier.student]) model.dispose();
  });

  it('builds a DistilBERT student from a BERT teacher with DistilBERT\'s renaming', () => {
    const teacher = new BertModel({ ...shape, num_hidden_layers: 2, hidden_act: 'gelu' }, { task: 'masked-lm', seed: 3 });
    // With zero token-type embeddings BERT and DistilBERT compute the same function.
    teacher.getParameter('embeddings.token_type_embeddings.weight')!.assign(tf.zeros([2, 16]));
    const studentConfig = createDistilBertConfig({ vocab_size: 30, dim: 16, n_layers: 2, n_heads: 2, hidden_dim: 20, max_position_embeddings: 8 });
    const { student, skipped } = initStudentFromTeacher(teacher, studentConfig, { layers: 'first' });
    expect(skipped).toEqual([]);
    expect(values(student, 'transformer.layer.1.ffn.lin1.weight')).toEqual(values(teacher, 'encoder.layer.1.intermediate.dense.weight'));
    const [a, b] = [logits(teacher), logits(student)];
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([a, b]);
    teacher.dispose();
    student.dispose();
  });

  it('refuses students whose widths differ or whose map points past the teacher', () => {
    const teacher = new BertModel({ ...shape, num_hidden_layers: 2 }, { seed: 4 });
    expect(() => initStudentFromTeacher(teacher, createBertConfig({ ...shape, hidden_size: 8, num_hidden_layers: 1 }), { layers: 'last' })).toThrow(/widths differ/);
    expect(() => initStudentFromTeacher(teacher, createBertConfig({ ...shape, intermediate_size: 12, num_hidden_layers: 1 }), { layers: 'last' })).toThrow(/intermediate\.dense\.weight/);
    expect(() => initStudentFromTeacher(teacher, createBertConfig({ ...shape, num_hidden_layers: 1 }), { layers: [2] })).toThrow(/points past the teacher/);
    teacher.dispose();
  });
});
