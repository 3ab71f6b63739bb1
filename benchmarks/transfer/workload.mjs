// The workload of the transfer benchmark, shared by run.mjs and pofa-steps.mjs: the model shape,
// the configurations (pattern lock, + teacher, + QAT), the synthetic SST-2-like batches and their
// file format (read by torch_transfer.py too), and the FLOPs of a step.
import { readFile, writeFile } from 'node:fs/promises';
import { PAPER_TRANSFER, transferDistillation } from '@pofa/cli';
import { createRandom } from '@pofa/core';

/** BERT-Base, as the paper's checkpoints. */
export const SHAPE = { layers: 12, hidden: 768, heads: 12, intermediate: 3072, vocab: 30522 };
export const SEQ = 128;
export const SPARSITY = 0.9;
export const LABELS = 2;

/**
 * The transfer stage (pipeline/sparse.ts) and the QAT stage (pipeline/quantize.ts), with the
 * paper's learning rates (PAPER_TRANSFER.classification): pattern lock always; a dense teacher
 * distilled (logits KL · T², T = 2, hard weight 0) where `teacher`; int8 fake quantization where `qat`.
 */
export const CONFIGS = {
  lock: { teacher: false, qat: false, learningRate: PAPER_TRANSFER.classification.transfer.learningRate, label: 'pattern lock' },
  teacher: { teacher: true, qat: false, learningRate: PAPER_TRANSFER.classification.transfer.learningRate, label: 'pattern lock + teacher' },
  qat: { teacher: true, qat: true, learningRate: PAPER_TRANSFER.classification.quantize.learningRate, label: 'pattern lock + teacher + QAT' },
};

/** The distillation of `pofa transfer` (logits KL · T², T = 2, hard weight 0). */
export const DISTILLATION = transferDistillation();

const CLS = 101;
const SEP = 102;
const POSITIVE = 2000; // ids 2000–2049 play positive words, 3000–3049 negative ones
const NEGATIVE = 3000;

/**
 * `count` batches of `batch` sentences padded to SEQ: [CLS] 8–64 random wordpieces [SEP] (SST-2
 * averages ~25), each with 1–3 "sentiment" ids of its label's polarity, so the task is learnable;
 * with `padded: false` every sentence fills all SEQ positions (no padding, no attention mask).
 * Returns { ids, mask, labels } Int32Arrays per batch.
 */
export function syntheticBatches(count, batch, seed, { padded = true } = {}) {
  const random = createRandom(seed);
  const batches = [];
  for (let index = 0; index < count; index++) {
    const ids = new Int32Array(batch * SEQ);
    const mask = new Int32Array(batch * SEQ);
    const labels = new Int32Array(batch);
    for (let row = 0; row < batch; row++) {
      const label = random.int(LABELS);
      const words = padded ? 8 + random.int(57) : SEQ - 2;
      const at = row * SEQ;
      ids[at] = CLS;
      for (let i = 1; i <= words; i++) ids[at + i] = 1000 + random.int(SHAPE.vocab - 1000);
      const sentiment = 1 + random.int(3);
      for (let k = 0; k < sentiment; k++) ids[at + 1 + random.int(words)] = (label === 1 ? POSITIVE : NEGATIVE) + random.int(50);
      ids[at + words + 1] = SEP;
      mask.fill(1, at, at + words + 2);
      labels[row] = label;
    }
    batches.push({ ids, mask, labels });
  }
  return batches;
}

/** Writes batches as one int32 file: per batch ids [batch·SEQ], mask [batch·SEQ], labels [batch]. */
export async function writeBatches(file, batches) {
  const total = batches.reduce((sum, { ids, mask, labels }) => sum + ids.length + mask.length + labels.length, 0);
  const all = new Int32Array(total);
  let offset = 0;
  for (const part of batches.flatMap(({ ids, mask, labels }) => [ids, mask, labels])) {
    all.set(part, offset);
    offset += part.length;
  }
  await writeFile(file, all);
}

/** The batches {@link writeBatches} wrote, for `batch` rows each. */
export async function readBatches(file, batch) {
  const bytes = await readFile(file);
  const all = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const size = batch * (2 * SEQ + 1);
  const batches = [];
  for (let offset = 0; offset + size <= all.length; offset += size) {
    batches.push({
      ids: all.subarray(offset, offset + batch * SEQ),
      mask: all.subarray(offset + batch * SEQ, offset + 2 * batch * SEQ),
      labels: all.subarray(offset + 2 * batch * SEQ, offset + size),
    });
  }
  return batches;
}

/** Weights of the encoder Linear layers (the matrices a token goes through), for `shape`. */
export function encoderLinearWeights(shape = SHAPE) {
  return shape.layers * (4 * shape.hidden * shape.hidden + 2 * shape.hidden * shape.intermediate);
}

/**
 * FLOPs of one training step on `sequences` × `seq` tokens, dense (the masks multiply the weights,
 * the products stay dense): forward + backward ≈ 6 × encoder weights × tokens, plus attention
 * (QKᵀ and PV: 4·seq²·hidden per sequence and layer forward, ×3 with backward); a teacher adds its
 * forward (a third of that). Embeddings, pooler, head and element-wise work are left out.
 */
export function stepFlops({ sequences, seq = SEQ, teacher = false, shape = SHAPE }) {
  const tokens = sequences * seq;
  const linear = encoderLinearWeights(shape) * tokens;
  const attention = shape.layers * sequences * 4 * seq * seq * shape.hidden;
  const student = 3 * (2 * linear + attention);
  return teacher ? student + 2 * linear + attention : student;
}
