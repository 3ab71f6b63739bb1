import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, createRandom, encodeHalfArray, serializeSafetensors, writeFileAtomic, type RawTensor } from '@pofa/core';
import { architectureName, type ModelFamily } from '../checkpoint/architectures';
import type { TaskName } from '../features';

/** Options of {@link writeSyntheticCheckpoint}. */
export interface SyntheticCheckpointOptions {
  family?: ModelFamily;
  /** Encoder layers (BERT-Base 12, BERT-Large 24, DistilBERT 6). */
  layers: number;
  /** Hidden width (768 for Base and DistilBERT, 1024 for Large). */
  hidden?: number;
  heads?: number;
  /** FFN width; 4 × hidden by default. */
  intermediate?: number;
  vocabSize?: number;
  maxPositions?: number;
  /** The head written: `masked-lm` as the Prune OFA checkpoints, or a task head. */
  task?: Exclude<TaskName, 'base'> | 'base';
  numLabels?: number;
  /** Fraction of every encoder Linear weight set to zero (unstructured, exact per tensor up to rounding). */
  sparsity?: number;
  /** Storage dtype of the weights. */
  dtype?: 'F32' | 'F16' | 'BF16';
  /** Words given their own vocabulary entry (besides characters and `##` suffixes), so test texts tokenize. */
  words?: readonly string[];
  seed?: number;
}

/** BERT's reserved ids: [PAD] 0, [unused0–98] 1–99, [UNK] 100, [CLS] 101, [SEP] 102, [MASK] 103, as in `bert-base-uncased`. */
function syntheticVocab(size: number, words: readonly string[]): string[] {
  const vocab = ['[PAD]', ...Array.from({ length: 99 }, (_, i) => `[unused${i}]`), '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
  const characters = [...'abcdefghijklmnopqrstuvwxyz0123456789.,;:!?\'"()-&$%/'];
  const entries = [...characters, ...characters.map((character) => `##${character}`), ...words.map((word) => word.toLowerCase())];
  const seen = new Set(vocab);
  for (const entry of entries) {
    if (!seen.has(entry)) {
      seen.add(entry);
      vocab.push(entry);
    }
  }
  if (vocab.length > size) {
    throw new ConfigError('The synthetic vocabulary does not fit', { expected: `at most ${size} entries`, received: `${vocab.length}`, hint: 'Raise vocabSize or pass fewer words' });
  }
  for (let i = 99; vocab.length < size; i++) vocab.push(`[unused${i}]`);
  return vocab;
}

/** The tensors of one BERT or DistilBERT model, by Hugging Face name, with their shapes and whether they are encoder Linear weights. */
function tensorShapes(options: Required<Omit<SyntheticCheckpointOptions, 'words' | 'seed' | 'dtype' | 'sparsity'>>): Array<{ name: string; shape: number[]; kind: 'linear' | 'weight' | 'gamma' | 'bias' }> {
  const { family, layers, hidden, intermediate, vocabSize, maxPositions, task, numLabels } = options;
  const out: Array<{ name: string; shape: number[]; kind: 'linear' | 'weight' | 'gamma' | 'bias' }> = [];
  const nest = task === 'base' ? '' : `${family}.`;
  const linear = (name: string, rows: number, columns: number, encoder = true) => {
    out.push({ name: `${name}.weight`, shape: [rows, columns], kind: encoder ? 'linear' : 'weight' }, { name: `${name}.bias`, shape: [rows], kind: 'bias' });
  };
  const norm = (name: string) => out.push({ name: `${name}.weight`, shape: [hidden], kind: 'gamma' }, { name: `${name}.bias`, shape: [hidden], kind: 'bias' });
  out.push({ name: `${nest}embeddings.word_embeddings.weight`, shape: [vocabSize, hidden], kind: 'weight' });
  out.push({ name: `${nest}embeddings.position_embeddings.weight`, shape: [maxPositions, hidden], kind: 'weight' });
  if (family === 'bert') {
    out.push({ name: `${nest}embeddings.token_type_embeddings.weight`, shape: [2, hidden], kind: 'weight' });
    norm(`${nest}embeddings.LayerNorm`);
    for (let layer = 0; layer < layers; layer++) {
      const prefix = `${nest}encoder.layer.${layer}`;
      for (const part of ['query', 'key', 'value']) linear(`${prefix}.attention.self.${part}`, hidden, hidden);
      linear(`${prefix}.attention.output.dense`, hidden, hidden);
      norm(`${prefix}.attention.output.LayerNorm`);
      linear(`${prefix}.intermediate.dense`, intermediate, hidden);
      linear(`${prefix}.output.dense`, hidden, intermediate);
      norm(`${prefix}.output.LayerNorm`);
    }
    if (task !== 'masked-lm' && task !== 'question-answering') linear(`${nest}pooler.dense`, hidden, hidden, false);
  } else {
    norm(`${nest}embeddings.LayerNorm`);
    for (let layer = 0; layer < layers; layer++) {
      const prefix = `${nest}transformer.layer.${layer}`;
      for (const part of ['q_lin', 'k_lin', 'v_lin', 'out_lin']) linear(`${prefix}.attention.${part}`, hidden, hidden);
      norm(`${prefix}.sa_layer_norm`);
      linear(`${prefix}.ffn.lin1`, intermediate, hidden);
      linear(`${prefix}.ffn.lin2`, hidden, intermediate);
      norm(`${prefix}.output_layer_norm`);
    }
  }
  if (task === 'masked-lm') {
    if (family === 'bert') {
      linear('cls.predictions.transform.dense', hidden, hidden, false);
      norm('cls.predictions.transform.LayerNorm');
      out.push({ name: 'cls.predictions.bias', shape: [vocabSize], kind: 'bias' });
    } else {
      linear('vocab_transform', hidden, hidden, false);
      norm('vocab_layer_norm');
      out.push({ name: 'vocab_projector.bias', shape: [vocabSize], kind: 'bias' });
    }
  } else if (task === 'sequence-classification') {
    if (family === 'distilbert') linear('pre_classifier', hidden, hidden, false);
    linear('classifier', numLabels, hidden, false);
  } else if (task === 'question-answering') {
    linear('qa_outputs', 2, hidden, false);
  }
  return out;
}

function encode(values: Float32Array, dtype: 'F32' | 'F16' | 'BF16', shape: number[]): RawTensor {
  return dtype === 'F32' ? { dtype, shape, data: values } : { dtype, shape, data: encodeHalfArray(values, dtype) };
}

/**
 * Writes a Hugging Face checkpoint directory (`config.json`, `model.safetensors`, `vocab.txt`)
 * of any BERT or DistilBERT shape, with seeded random weights (normal-ish, std 0.02; LayerNorm
 * weights 1) and `sparsity` of every encoder Linear weight exactly zero. Everything stays in typed
 * arrays, so BERT-Large shapes are written in seconds; the file is what `save_pretrained` of
 * `transformers` writes (names with `bert.`/`distilbert.` in task models, tied decoder left out).
 * Tests and benchmarks use it to try real-size checkpoints without a model hub.
 *
 * @example
 * ```ts
 * await writeSyntheticCheckpoint('tmp/bert-base-90', { layers: 12, sparsity: 0.9 }); // 110 M parameters
 * ```
 */
export async function writeSyntheticCheckpoint(dir: string, options: SyntheticCheckpointOptions): Promise<{ parameters: number; encoderZeros: number; encoderWeights: number }> {
  const family = options.family ?? 'bert';
  const hidden = options.hidden ?? 768;
  const resolved = {
    family, layers: options.layers, hidden, heads: options.heads ?? Math.max(1, Math.round(hidden / 64)), intermediate: options.intermediate ?? 4 * hidden,
    vocabSize: options.vocabSize ?? 30522, maxPositions: options.maxPositions ?? 512, task: options.task ?? 'masked-lm', numLabels: options.numLabels ?? 2,
  } as const;
  const sparsity = options.sparsity ?? 0;
  const dtype = options.dtype ?? 'F32';
  const random = createRandom(options.seed ?? 0);
  const tensors: Record<string, RawTensor> = {};
  let parameters = 0;
  let encoderZeros = 0;
  let encoderWeights = 0;
  for (const { name, shape, kind } of tensorShapes(resolved)) {
    const size = shape.reduce((product, extent) => product * extent, 1);
    const values = new Float32Array(size);
    if (kind === 'gamma') values.fill(1);
    else {
      const spread = kind === 'bias' ? 0.002 : 0.02;
      // Sum of two uniforms: cheap, symmetric, std = spread.
      for (let i = 0; i < size; i++) values[i] = (random.next() + random.next() - 1) * spread * 2.449489742783178;
    }
    if (kind === 'linear' && sparsity > 0) {
      const zeros = Math.round(size * sparsity);
      // A seeded partial shuffle picks exactly `zeros` positions.
      const order = new Uint32Array(size);
      for (let i = 0; i < size; i++) order[i] = i;
      for (let i = 0; i < zeros; i++) {
        const j = i + random.int(size - i);
        const position = order[j];
        order[j] = order[i];
        order[i] = position;
        values[position] = 0;
      }
      encoderZeros += zeros;
    }
    if (kind === 'linear') encoderWeights += size;
    parameters += size;
    tensors[name] = encode(values, dtype, shape);
  }
  const config: Record<string, unknown> =
    family === 'bert'
      ? {
          model_type: 'bert', vocab_size: resolved.vocabSize, hidden_size: hidden, num_hidden_layers: resolved.layers, num_attention_heads: resolved.heads,
          intermediate_size: resolved.intermediate, max_position_embeddings: resolved.maxPositions, type_vocab_size: 2, hidden_act: 'gelu', layer_norm_eps: 1e-12,
        }
      : {
          model_type: 'distilbert', vocab_size: resolved.vocabSize, dim: hidden, n_layers: resolved.layers, n_heads: resolved.heads,
          hidden_dim: resolved.intermediate, max_position_embeddings: resolved.maxPositions, activation: 'gelu', sinusoidal_pos_embds: false,
        };
  config.architectures = [architectureName(family, resolved.task)];
  config.torch_dtype = dtype === 'F32' ? 'float32' : dtype === 'F16' ? 'float16' : 'bfloat16';
  if (resolved.task === 'sequence-classification') {
    config.id2label = Object.fromEntries(Array.from({ length: resolved.numLabels }, (_, i) => [String(i), `LABEL_${i}`]));
  }
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'model.safetensors'), serializeSafetensors(tensors, { metadata: { format: 'pt' } }));
  await writeFileAtomic(join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  await writeFileAtomic(join(dir, 'vocab.txt'), `${syntheticVocab(resolved.vocabSize, options.words ?? []).join('\n')}\n`);
  return { parameters, encoderZeros, encoderWeights };
}
