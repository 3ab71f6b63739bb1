import { createMaskTransform, createRandom, initBackend, selectTargets, tf, type ActivationTransform, type Linear } from '@pofa/core';
import { BertModel, DistilBertModel, type EncoderModel } from '@pofa/models';
import { magnitudeMask } from '@pofa/prune';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportBundle, type ExportBundleOptions } from '../bundle/export-bundle';
import { loadBundle } from './load-bundle';
import { RuntimeInputError } from './runtime-input-error';

const directory = await mkdtemp(join(tmpdir(), 'pofa-runtime-'));
beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});
afterAll(() => rm(directory, { recursive: true, force: true }));

const SHAPE = { vocab_size: 60, hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 128, max_position_embeddings: 32 };

function prune(model: EncoderModel, pattern: string): void {
  for (const [, parameter] of selectTargets(model)) {
    parameter.addTransform(createMaskTransform(magnitudeMask(parameter.variable, { sparsity: 0.9, pattern })));
    parameter.squash();
  }
}

function randomBatch(seed: number, batch: number, seq: number, vocab: number) {
  const random = createRandom(seed);
  const inputIds = Array.from({ length: batch }, () => Array.from({ length: seq }, () => 1 + random.int(vocab - 1)));
  const attentionMask = Array.from({ length: batch }, (_, b) => Array.from({ length: seq }, (_, s) => (s < seq - b ? 1 : 0)));
  const tokenTypeIds = Array.from({ length: batch }, () => Array.from({ length: seq }, (_, s) => (s < seq / 2 ? 0 : 1)));
  return { inputIds, attentionMask, tokenTypeIds };
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

async function compareWithModel(model: EncoderModel, options: ExportBundleOptions, name: string): Promise<void> {
  const path = join(directory, `${name}.pofa`);
  await exportBundle(model, path, options);
  const encoder = await loadBundle(path);
  const inputs = randomBatch(7, 3, 12, SHAPE.vocab_size);
  const expected = model.forward(inputs);
  const actual = encoder.run(inputs);
  expect(maxDifference(actual.hidden, expected.lastHidden.dataSync())).toBeLessThan(1e-4);
  expect(actual.logits).toBeDefined();
  expect(maxDifference(actual.logits!, expected.logits!.dataSync())).toBeLessThan(1e-4);
  tf.dispose(expected as unknown as tf.TensorContainer);
}

describe('loadBundle: fp32 output equals the tfjs model', () => {
  it('BERT sequence classification, 90% unstructured, CSR', async () => {
    const model = new BertModel(SHAPE, { task: 'sequence-classification', numLabels: 3, seed: 1 }).eval();
    prune(model, 'unstructured');
    await compareWithModel(model, { format: 'csr' }, 'bert-csr');
    const encoder = await loadBundle(join(directory, 'bert-csr.pofa'));
    expect(encoder.compression.nominal).toBeGreaterThan(9.5);
    expect(encoder.compression.nominal).toBeLessThan(10.5);
    model.dispose();
  });

  it('BERT masked LM with the tanh GELU, 90% in 4x1 blocks', async () => {
    const model = new BertModel({ ...SHAPE, hidden_act: 'gelu_new' }, { task: 'masked-lm', seed: 2 }).eval();
    prune(model, '4x1');
    await compareWithModel(model, { format: 'block', block: [4, 1] }, 'bert-block');
    model.dispose();
  });

  it('DistilBERT sequence classification, bitmask, with a structurally pruned layer', async () => {
    const config = { vocab_size: 60, dim: 64, n_layers: 2, n_heads: 4, hidden_dim: 96, max_position_embeddings: 32, pruned_heads: { 1: [2] }, intermediate_sizes: [96, 48] };
    const model = new DistilBertModel(config, { task: 'sequence-classification', numLabels: 2, seed: 3 }).eval();
    prune(model, 'unstructured');
    await compareWithModel(model, { format: 'bitmask' }, 'distilbert-bitmask');
    model.dispose();
  });

  it('rejects ids outside the vocabulary and ragged batches', async () => {
    const encoder = await loadBundle(join(directory, 'bert-csr.pofa'));
    expect(() => encoder.run({ inputIds: [[1, 2, 999]] })).toThrow(RuntimeInputError);
    expect(() => encoder.run({ inputIds: [[1, 2], [3]] })).toThrow(/ragged/);
    expect(() => encoder.run({ inputIds: [[1, 2]], attentionMask: [[1, 2]] })).toThrow(RuntimeInputError);
  });
});

/** Dynamic per-token asymmetric uint8 fake quantization of a Linear's input, as the int8 kernels do. */
function fakeQuantizeInput(): ActivationTransform {
  return {
    kind: 'test/fake-quantize-input',
    apply: (input) =>
      tf.tidy(() => {
        const width = input.shape[input.rank - 1];
        const flat = tf.reshape(input, [-1, width]);
        const low = tf.minimum(tf.min(flat, 1, true), 0);
        const high = tf.maximum(tf.max(flat, 1, true), 0);
        const range = tf.sub(high, low);
        const scale = tf.where(tf.equal(range, 0), tf.onesLike(range), tf.div(range, 255));
        const zeroPoint = tf.clipByValue(tf.round(tf.neg(tf.div(low, scale))), 0, 255);
        const q = tf.clipByValue(tf.add(tf.round(tf.mul(flat, tf.div(1, scale))), zeroPoint), 0, 255);
        return tf.reshape(tf.mul(tf.sub(q, zeroPoint), scale), input.shape);
      }),
  };
}

/** Symmetric per-row int8 fake quantization of the weights, plus input fake quantization. */
function fakeQuantize(model: EncoderModel): void {
  for (const [name, parameter] of selectTargets(model)) {
    tf.tidy(() => {
      const weight = parameter.variable;
      const max = tf.max(tf.abs(weight), 1, true);
      const scale = tf.where(tf.equal(max, 0), tf.onesLike(max), tf.div(max, 127));
      parameter.assign(tf.mul(tf.clipByValue(tf.round(tf.div(weight, scale)), -127, 127), scale));
    });
    (model.getModule(name.replace(/\.weight$/, '')) as Linear).addInputTransform(fakeQuantizeInput());
  }
}

function argmaxRows(logits: ArrayLike<number>, labels: number): number[] {
  const out: number[] = [];
  for (let row = 0; row < logits.length / labels; row++) {
    let best = 0;
    for (let j = 1; j < labels; j++) if (logits[row * labels + j] > logits[row * labels + best]) best = j;
    out.push(best);
  }
  return out;
}

describe('loadBundle: int8', () => {
  it('reproduces the fake-quantized model: accuracy within 0.5 points, predictions agree', async () => {
    const labels = 3;
    const teacher = new BertModel(SHAPE, { task: 'sequence-classification', numLabels: labels, seed: 4 }).eval();
    const student = new BertModel(SHAPE, { task: 'sequence-classification', numLabels: labels, seed: 4 }).eval();
    prune(student, 'unstructured');
    const path = join(directory, 'bert-int8.pofa');
    await exportBundle(student, path, { format: 'csr', int8: true });
    fakeQuantize(student);
    const encoder = await loadBundle(path);
    expect(encoder.compression.bits).toBe(8);
    let agree = 0;
    let correctFake = 0;
    let correctRuntime = 0;
    let total = 0;
    for (let chunk = 0; chunk < 10; chunk++) {
      const inputs = randomBatch(100 + chunk, 24, 10, SHAPE.vocab_size);
      const [gold, fake] = [teacher, student].map((model) => {
        const outputs = model.forward(inputs);
        const predictions = argmaxRows(outputs.logits!.dataSync(), labels);
        tf.dispose(outputs as unknown as tf.TensorContainer);
        return predictions;
      });
      const runtime = argmaxRows(encoder.run(inputs).logits!, labels);
      for (let i = 0; i < gold.length; i++) {
        agree += Number(fake[i] === runtime[i]);
        correctFake += Number(fake[i] === gold[i]);
        correctRuntime += Number(runtime[i] === gold[i]);
        total++;
      }
    }
    expect(total).toBe(240);
    expect(Math.abs(correctFake - correctRuntime) / total).toBeLessThanOrEqual(0.005);
    expect(agree / total).toBeGreaterThanOrEqual(0.99);
    teacher.dispose();
    student.dispose();
  });
});
