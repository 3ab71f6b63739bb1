#!/usr/bin/env node
// Masked-LM training of the same BERT on the same batches in pofa (pofa-native) and in PyTorch:
// do both learn alike? The batches of the distill-vs-scratch experiment (SOTU passages, its
// WordPiece vocabulary, seeded dynamic masking) are written once to a folder; pofa trains its
// bert-mini-shaped teacher on them, then `torch_mlm.py` (Debian's python3-torch) trains a plain
// PyTorch BERT of the same shape, initialisation scheme, optimizer (AdamW, weight decay 0.01 off
// biases and LayerNorms), schedule (10% warmup, linear decay), clipping and dropout on the very
// same batches, and both report the validation masked-LM loss at the same steps.
//
//   cd benchmarks && node training-parity/run.mjs [--steps=1000] [--evalEvery=250] [--python=/usr/bin/python3]
//
// Writes results/training-parity.json. Dropout masks differ (each framework draws its own), so
// the curves agree statistically, not bit for bit.
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { initBackend, writeFileAtomic } from '@pofa/core';
import { registerPofaNativeBackend } from '@pofa/sparse-kernels';
import { SCALES, bert, prepareData, train, trainingData, validationLoss } from '../distill-vs-scratch/experiment.mjs';

const args = Object.fromEntries(process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split('=')));
const steps = Number(args.steps ?? 1000);
const evalEvery = Number(args.evalEvery ?? 250);
const python = args.python ?? '/usr/bin/python3';
const rate = 1e-3;
const scale = SCALES.issue;
const dir = new URL('../../.pofa-cache/training-parity', import.meta.url).pathname;

const backend = registerPofaNativeBackend() ? 'pofa-native' : 'wasm';
await initBackend({ backend });
const { tokenizer, trainBatcher, validationBatcher } = await prepareData(scale);

/** Writes batches as one int32 file of (inputIds, attentionMask, labels) per batch plus their shapes. */
async function dump(name, batches) {
  const shapes = [];
  const parts = [];
  for (const batch of batches) {
    shapes.push(batch.inputIds.shape);
    for (const tensor of [batch.inputIds, batch.attentionMask, batch.labels]) parts.push(Int32Array.from(tensor.dataSync()));
    batch.dispose();
  }
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const all = new Int32Array(total);
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.length;
  }
  await writeFile(join(dir, `${name}.bin`), all);
  return shapes;
}

/** The first `count` training batches in the order the experiment's Trainer consumes them. */
function* consumed(batcher, count) {
  const data = trainingData(batcher);
  for (let index = 0; index < count; index++) yield data.batch();
}

await mkdir(dir, { recursive: true });
const trainShapes = await dump('train', consumed(trainBatcher(1), steps));
const validationShapes = await dump('validation', validationBatcher.batches(0));
const model = { layers: scale.teacher.layers, hidden: scale.teacher.hidden, heads: scale.teacher.heads, vocab: tokenizer.vocabSize, maxLength: scale.maxLength };
await writeFile(join(dir, 'meta.json'), JSON.stringify({ model, steps, evalEvery, rate, trainShapes, validationShapes }));

const pofaCurve = [];
const started = performance.now();
const teacher = bert(scale.teacher, tokenizer.vocabSize, scale.maxLength, 1);
await train(teacher, trainBatcher(1), steps, 1, [], rate, 'masked', { name: 'pofa', every: evalEvery, batcher: validationBatcher, points: pofaCurve, note: (line) => console.error(line) });
const pofaSeconds = (performance.now() - started) / 1000;
teacher.eval();
const pofaFinal = validationLoss(teacher, validationBatcher);
teacher.dispose();

const torch = spawnSync(python, [new URL('./torch_mlm.py', import.meta.url).pathname, dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
if (torch.status !== 0) throw new Error(`torch_mlm.py failed with status ${torch.status}`);
const reference = JSON.parse(torch.stdout);
const result = {
  backend, model, steps, evalEvery, learningRate: rate, batch: scale.batch,
  evalSteps: pofaCurve.map((_, index) => Math.min(steps, (index + 1) * evalEvery)),
  pofa: { curve: pofaCurve, final: pofaFinal, seconds: pofaSeconds },
  torch: reference,
};
await writeFileAtomic(new URL('../results/training-parity.json', import.meta.url).pathname, `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
