// Small random BERT / DistilBERT models, a padded batch, and their outputs from tfjs and from
// onnxruntime-node, for the ONNX export tests.
import { ENCODER_LINEAR_WEIGHTS, tf } from '@pofa/core';
import { BertModel, DistilBertModel, type EncoderModel, type ModelOutputs, type TaskName } from '@pofa/models';
import { installFakeQuantization, type InstalledFakeQuantization } from '@pofa/quant';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { expect } from 'vitest';

export const BATCH = 2;
export const SEQUENCE = 16;
export const VOCAB = 60;

/** Row 0 is 16 real tokens; row 1 has 10 real tokens and 6 padding positions (id 0, mask 0). */
export function batch(seed: number): { inputIds: number[][]; attentionMask: number[][]; tokenTypeIds: number[][] } {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state;
  };
  const lengths = [SEQUENCE, 10];
  const inputIds = lengths.map((length) => Array.from({ length: SEQUENCE }, (_, position) => (position < length ? 1 + (next() % (VOCAB - 1)) : 0)));
  const attentionMask = lengths.map((length) => Array.from({ length: SEQUENCE }, (_, position) => (position < length ? 1 : 0)));
  const tokenTypeIds = lengths.map((length) => Array.from({ length: SEQUENCE }, (_, position) => (position >= length / 2 && position < length ? 1 : 0)));
  return { inputIds, attentionMask, tokenTypeIds };
}

const noDropout = { hidden_dropout_prob: 0, attention_probs_dropout_prob: 0 };

/** A 2-layer BERT (hidden 32, 4 heads, FFN 64); `pruned` removes head 1 of layer 0 and narrows layer 1's FFN. */
export function smallBert(task: TaskName, seed: number, options: { pruned?: boolean; numLabels?: number } = {}): BertModel {
  const structure = options.pruned === true ? { pruned_heads: { 0: [1] }, intermediate_sizes: [64, 40] } : {};
  const config = { vocab_size: VOCAB, hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 64, max_position_embeddings: 24, ...noDropout, ...structure };
  return randomize(new BertModel(config, { task, seed, ...(options.numLabels === undefined ? {} : { numLabels: options.numLabels }) }), seed);
}

/** A 2-layer DistilBERT (dim 32, 4 heads, FFN 64). */
export function smallDistilBert(task: TaskName, seed: number): DistilBertModel {
  const config = { vocab_size: VOCAB, dim: 32, n_layers: 2, n_heads: 4, hidden_dim: 64, max_position_embeddings: 24, dropout: 0, attention_dropout: 0, seq_classif_dropout: 0, qa_dropout: 0 };
  return randomize(new DistilBertModel(config, { task, seed, ...(task === 'sequence-classification' ? { numLabels: 3 } : {}) }), seed);
}

/** Every parameter drawn afresh (weights and biases N(0, 0.3²), LayerNorm γ around 1), so no zero bias or unit γ hides a wiring mistake. */
function randomize<T extends EncoderModel>(model: T, seed: number): T {
  model.namedParameters().forEach(([name, parameter], index) => {
    const gamma = /LayerNorm\.weight$|layer_norm\.weight$/.test(name);
    tf.tidy(() => parameter.assign(tf.add(tf.randomNormal(parameter.shape, 0, gamma ? 0.2 : 0.3, 'float32', seed * 1000 + index), gamma ? 1 : 0)));
  });
  return model.eval() as T;
}

/**
 * The outputs ONNX names, from a tfjs forward pass in eval mode, or in training mode (no dropout
 * in these models: a fake-quantized model observes the batch's ranges, then quantizes with them).
 */
export function tfjsOutputs(model: EncoderModel, inputs: ReturnType<typeof batch>, mode: 'eval' | 'train' = 'eval'): Record<string, Float32Array> {
  if (mode === 'train') model.train();
  else model.eval();
  const outputs: ModelOutputs = model.forward({ inputIds: inputs.inputIds, attentionMask: inputs.attentionMask, tokenTypeIds: inputs.tokenTypeIds });
  const named: Record<string, tf.Tensor | undefined> = {
    logits: outputs.logits,
    start_logits: outputs.startLogits,
    end_logits: outputs.endLogits,
    last_hidden_state: outputs.logits === undefined && outputs.startLogits === undefined ? outputs.lastHidden : undefined,
    pooler_output: outputs.logits === undefined && outputs.startLogits === undefined ? outputs.pooled : undefined,
  };
  const result = Object.fromEntries(Object.entries(named).filter(([, tensor]) => tensor !== undefined).map(([name, tensor]) => [name, Float32Array.from(tensor!.dataSync())]));
  tf.dispose(outputs as unknown as tf.TensorContainer);
  model.eval();
  return result;
}

const int64 = (rows: number[][]) => new Tensor('int64', BigInt64Array.from(rows.flat(), (value) => BigInt(value)), [rows.length, rows[0].length]);

/** Runs the ONNX bytes on onnxruntime-node with the graph's inputs taken from `inputs`. */
export async function onnxOutputs(bytes: Uint8Array, inputs: ReturnType<typeof batch>, level: 'disabled' | 'all' = 'all'): Promise<Record<string, Float32Array>> {
  const session = await InferenceSession.create(bytes, { graphOptimizationLevel: level, intraOpNumThreads: 1 });
  try {
    const all: Record<string, Tensor> = { input_ids: int64(inputs.inputIds), attention_mask: int64(inputs.attentionMask), token_type_ids: int64(inputs.tokenTypeIds) };
    const feeds = Object.fromEntries(session.inputNames.map((name) => [name, all[name]]));
    const results = await session.run(feeds);
    return Object.fromEntries(session.outputNames.map((name) => [name, results[name].data as Float32Array]));
  } finally {
    await session.release();
  }
}

/** The largest absolute difference between two arrays of one length. */
export function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/** The index of the largest value of each row of `width` values. */
export function rowArgmax(values: Float32Array, width: number): number[] {
  const out: number[] = [];
  for (let start = 0; start < values.length; start += width) {
    const row = Array.from(values.subarray(start, start + width));
    out.push(row.indexOf(Math.max(...row)));
  }
  return out;
}

/**
 * QAT's fake quantization as `pofa compress` installs it (encoder Linear weights int8 per tensor
 * or per row, their inputs uint8 with EMA observers), observed on three training-mode passes over
 * other batches, then frozen; the model is left in eval mode.
 */
export function fakeQuantize(model: EncoderModel, perChannel: boolean): InstalledFakeQuantization {
  const installed = installFakeQuantization(model, { targets: { include: [...ENCODER_LINEAR_WEIGHTS] }, weights: { bits: 8, perChannel }, activations: { observer: 'ema' } });
  model.train();
  for (const seed of [11, 12, 13]) {
    const inputs = batch(seed);
    tf.dispose(model.forward({ inputIds: inputs.inputIds, attentionMask: inputs.attentionMask, tokenTypeIds: inputs.tokenTypeIds }) as unknown as tf.TensorContainer);
  }
  installed.freeze();
  model.eval();
  return installed;
}

/**
 * 12 small quantized models against their tfjs reference (seeds `firstSeed` on: a DistilBERT span QA
 * model every third seed, else a BERT classifier; per row on even seeds, per tensor on odd ones):
 * `quantize` prepares the model and returns the tfjs outputs on `inputs` and the ONNX bytes.
 * Checks that every output row has the tfjs argmax; returns each model's largest difference.
 */
export async function quantizedDifferences(
  firstSeed: number,
  quantize: (model: EncoderModel, perChannel: boolean, inputs: ReturnType<typeof batch>) => { expected: Record<string, Float32Array>; bytes: Uint8Array },
): Promise<number[]> {
  const differences: number[] = [];
  for (let seed = firstSeed; seed < firstSeed + 12; seed++) {
    const model = seed % 3 === 0 ? smallDistilBert('question-answering', seed) : smallBert('sequence-classification', seed);
    const inputs = batch(seed);
    const { expected, bytes } = quantize(model, seed % 2 === 0, inputs);
    const got = await onnxOutputs(bytes, inputs);
    const names = Object.keys(expected);
    differences.push(Math.max(...names.map((name) => maxDifference(got[name], expected[name]))));
    for (const name of names) {
      const width = name === 'logits' ? 2 : SEQUENCE;
      expect(rowArgmax(got[name], width)).toEqual(rowArgmax(expected[name], width));
    }
    model.dispose();
  }
  return differences;
}
