// Writes the served model of the load benchmark: a BERT-shaped classifier whose encoder Linear
// weights are 90% zeros (unstructured, random weights: a synthetic checkpoint, no hub), as
//   model.pofa  — CSR, int8 per output row (max-abs), with its tokenizer and task (what pofa serve loads)
//   model.onnx  — the same model for onnxruntime-node in fp32 (its fastest path here: dense kernels)
//   model-int8.onnx — the same int8 weights for onnxruntime-node (int8 weights, fp32 inputs: QDQ)
import { join } from 'node:path';
import { ENCODER_LINEAR_WEIGHTS, initBackend } from '@pofa/core';
import { createWordPieceTokenizer, loadPretrained, readCheckpointVocab } from '@pofa/models';
import { writeSyntheticCheckpoint } from '@pofa/models/testing';
import { exportOnnx } from '@pofa/onnx';
import { exportInt8 } from '@pofa/quant';
import { bundleTokenizerOf } from '@pofa/runtime';
import { exportBundle } from '@pofa/sparse-kernels';

/** Words given vocabulary entries so the benchmark's text tokenizes into words, not characters. */
export const WORDS = ['the', 'a', 'movie', 'film', 'was', 'is', 'good', 'bad', 'great', 'awful', 'fun', 'dull', 'plot', 'acting', 'very', 'not', 'and', 'but', 'it', 'of', 'story', 'ending', 'music', 'cast'];

/**
 * @param {string} dir where the checkpoint, model.pofa and model.onnx go
 * @param {{ layers: number, maxLength: number }} options
 * @returns {Promise<{ bundle: string, onnx: string, onnxInt8: string }>}
 */
export async function prepareServedModel(dir, { layers, maxLength }) {
  await initBackend({ backend: 'cpu' });
  const source = join(dir, 'checkpoint');
  await writeSyntheticCheckpoint(source, { layers, hidden: 768, task: 'sequence-classification', numLabels: 2, sparsity: 0.9, words: WORDS, seed: 1 });
  const { model } = await loadPretrained(source);
  const vocab = await readCheckpointVocab(source, { required: true });
  const tokenizer = await createWordPieceTokenizer({ vocab, maxLength });
  const bundle = join(dir, 'model.pofa');
  await exportBundle(model, bundle, {
    format: 'csr',
    int8: true,
    tokenizerVocab: vocab,
    tokenizer: bundleTokenizerOf(tokenizer),
    task: { kind: 'classification', name: 'sst2-shaped', labels: ['negative', 'positive'] },
  });
  const onnx = join(dir, 'model.onnx');
  await exportOnnx(model, { out: onnx });
  const onnxInt8 = join(dir, 'model-int8.onnx');
  const int8 = exportInt8(model, { targets: { include: [...ENCODER_LINEAR_WEIGHTS] }, perChannel: true }).tensors;
  await exportOnnx(model, { out: onnxInt8, int8 });
  model.dispose();
  return { bundle, onnx, onnxInt8 };
}
