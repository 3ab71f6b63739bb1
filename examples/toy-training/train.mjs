// Trains a small MLP on a synthetic three-armed spiral with pofa's Trainer and prints the
// loss curve. Run it from the repository root:
//
//   node examples/toy-training/train.mjs [--steps=300] [--out=DIR]
//
// --out writes checkpoints (checkpoint-<step>/) and a JSONL log to DIR; running again with
// the same DIR resumes from the newest checkpoint.
import { join } from 'node:path';
import { Dropout, Linear, Module, createAdamW, createLinearWarmupSchedule, createRandom, createTrainer, initBackend, tf } from '@pofa/core';

const option = (name, fallback) => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const maxSteps = Number(option('steps', '300'));
const out = option('out', undefined);
const CLASSES = 3;

/** Three interleaved spiral arms with noise: not linearly separable, easy for a small MLP. */
function createSpirals(count, seed) {
  const random = createRandom(seed);
  const points = [];
  const labels = [];
  for (let i = 0; i < count; i++) {
    const arm = i % CLASSES;
    const radius = (Math.floor(i / CLASSES) + 1) / Math.ceil(count / CLASSES);
    const angle = arm * ((2 * Math.PI) / CLASSES) + radius * 4 + random.normal() * 0.2;
    points.push([radius * Math.sin(angle), radius * Math.cos(angle)]);
    labels.push(arm);
  }
  return {
    size: count,
    batch: (indices) => ({
      x: tf.tensor2d(indices.map((index) => points[index]), [indices.length, 2]),
      y: tf.oneHot(tf.tensor1d(indices.map((index) => labels[index]), 'int32'), CLASSES),
    }),
  };
}

class SpiralClassifier extends Module {
  constructor(hidden, seed) {
    super();
    const random = createRandom(seed);
    this.input = this.addModule('input', new Linear(2, hidden, { random, std: 0.5 }));
    this.hidden = this.addModule('hidden', new Linear(hidden, hidden, { random, std: 0.2 }));
    this.dropout = this.addModule('dropout', new Dropout(0.1));
    this.output = this.addModule('output', new Linear(hidden, CLASSES, { random, std: 0.2 }));
  }

  forward(x, context) {
    return tf.tidy(() => {
      const first = tf.relu(this.input.forward(x));
      const second = this.dropout.forward(tf.relu(this.hidden.forward(first)), context);
      return this.output.forward(second);
    });
  }
}

const backend = await initBackend();
const started = Date.now();
const train = createSpirals(600, 1);
const heldOut = createSpirals(300, 2);
const everything = heldOut.batch(Array.from({ length: heldOut.size }, (_, index) => index));
const model = new SpiralClassifier(32, 3);

const trainer = createTrainer({
  model,
  data: train,
  loss: (m, batch, context) => ({ loss: tf.losses.softmaxCrossEntropy(batch.y, m.forward(batch.x, context)) }),
  optimizer: createAdamW({ weightDecay: 0.01 }),
  schedule: createLinearWarmupSchedule({ learningRate: 0.02, warmupSteps: 20, totalSteps: maxSteps }),
  maxSteps,
  batchSize: 32,
  clipNorm: 1,
  seed: 42,
  evalEvery: 100,
  evaluate: (m) =>
    tf.tidy(() => {
      const predicted = tf.argMax(m.forward(everything.x), -1);
      const correct = tf.sum(tf.cast(tf.equal(predicted, tf.argMax(everything.y, -1)), 'float32'));
      return { accuracy: correct.dataSync()[0] / heldOut.size };
    }),
  ...(out === undefined ? {} : { checkpoint: { dir: join(out, 'checkpoints'), every: 100, keep: 2 }, log: { file: join(out, 'log.jsonl') }, resume: true }),
  progress: false,
});

console.log(`pofa toy training: ${model.parameterCount()} parameters, backend ${backend}, ${maxSteps} steps`);
const summary = await trainer.train();
if (summary.resumedFrom !== undefined) console.log(`resumed from checkpoint ${summary.resumedFrom}`);

// The loss curve: the mean loss of each window of steps, with a bar scaled to the first window.
const window = Math.max(1, Math.round(summary.history.length / 15));
const rows = [];
for (let start = 0; start < summary.history.length; start += window) {
  const records = summary.history.slice(start, start + window);
  rows.push({ step: records.at(-1).step, lr: records.at(-1).lr, loss: records.reduce((sum, record) => sum + record.loss, 0) / records.length });
}
const scale = Math.max(rows[0]?.loss ?? 1, 1e-9);
for (const row of rows) {
  const bar = '#'.repeat(Math.min(50, Math.round((40 * row.loss) / scale)));
  console.log(`step ${String(row.step).padStart(4)}  mean loss ${row.loss.toFixed(4)}  lr ${row.lr.toExponential(2)}  ${bar}`);
}
for (const { step, eval: metrics } of summary.evaluations) console.log(`eval at step ${step}: held-out accuracy ${(100 * metrics.accuracy).toFixed(1)}%`);
const last = summary.evaluations.at(-1);
console.log(
  `done: ${summary.steps} steps, final loss ${summary.finalLoss.toFixed(4)}, held-out accuracy ${last === undefined ? 'n/a' : `${(100 * last.eval.accuracy).toFixed(1)}%`}, ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
tf.dispose([everything.x, everything.y]);
