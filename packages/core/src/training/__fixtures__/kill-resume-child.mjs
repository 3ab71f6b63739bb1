// A training run for the kill-and-resume test (trainer-kill-resume.test.ts), run as a child
// process on the built package: a toy MLP with dropout, seeded, checkpointing every few steps.
//
//   node kill-resume-child.mjs <checkpointDir> <outFile> [--resume] [--delay-ms=N]
//
// It writes the final raw weights (and the summary) as JSON to <outFile> when it finishes.
// --delay-ms slows every step (an async modifier sleeps), so the test can kill it mid-run.
// POFA_CORE_ENTRY overrides the module it imports (default: the package's dist/index.js).
import { writeFileSync } from 'node:fs';

const entry = process.env.POFA_CORE_ENTRY ?? new URL('../../../dist/index.js', import.meta.url).href;
const { initBackend, tf, Module, Linear, Dropout, createRandom, createTrainer, createAdamW, createLinearWarmupSchedule } = await import(entry);

const [dir, outFile, ...flags] = process.argv.slice(2);
const resume = flags.includes('--resume');
const delayMs = Number(flags.find((flag) => flag.startsWith('--delay-ms='))?.slice('--delay-ms='.length) ?? 0);
const MAX_STEPS = 40;

await initBackend({ backend: 'cpu' });

class Mlp extends Module {
  constructor() {
    super();
    const random = createRandom(5);
    this.first = this.addModule('first', new Linear(8, 16, { random, std: 0.3 }));
    this.dropout = this.addModule('dropout', new Dropout(0.25));
    this.second = this.addModule('second', new Linear(16, 3, { random, std: 0.3 }));
  }

  forward(x, context) {
    return tf.tidy(() => this.second.forward(this.dropout.forward(tf.relu(this.first.forward(x)), context)));
  }
}

// Three classes: the argmax of a fixed random linear map of 8 features.
const examples = createRandom(17);
const projection = Array.from({ length: 24 }, () => examples.normal());
const points = Array.from({ length: 120 }, () => Array.from({ length: 8 }, () => examples.normal()));
const labels = points.map((point) => {
  const scores = [0, 1, 2].map((k) => point.reduce((sum, value, i) => sum + value * projection[k * 8 + i], 0));
  return scores.indexOf(Math.max(...scores));
});
const data = {
  size: points.length,
  batch: (indices) => ({
    x: tf.tensor2d(indices.map((i) => points[i]), [indices.length, 8]),
    y: tf.oneHot(tf.tensor1d(indices.map((i) => labels[i]), 'int32'), 3),
  }),
};

const throttle = {
  specificationVersion: 'v1',
  kind: 'test/throttle',
  initialize: () => {},
  update: () => (delayMs > 0 ? new Promise((resolve) => setTimeout(resolve, delayMs)) : undefined),
  finalize: () => {},
};

const model = new Mlp();
const trainer = createTrainer({
  model,
  data,
  loss: (m, batch, context) => ({ loss: tf.losses.softmaxCrossEntropy(batch.y, m.forward(batch.x, context)) }),
  optimizer: createAdamW({ weightDecay: 0.01 }),
  schedule: createLinearWarmupSchedule({ learningRate: 0.02, warmupSteps: 5, totalSteps: MAX_STEPS }),
  maxSteps: MAX_STEPS,
  batchSize: 8,
  gradientAccumulation: 2,
  clipNorm: 1,
  seed: 99,
  checkpoint: { dir, every: 4, keep: 2 },
  log: { file: `${dir}/log.jsonl` },
  progress: false,
  resume,
  modifiers: [throttle], // in every run: a checkpoint must be resumed with the same modifiers
});
const summary = await trainer.train();
const weights = Object.fromEntries(model.namedParameters().map(([name, parameter]) => [name, Array.from(parameter.variable.dataSync())]));
writeFileSync(outFile, JSON.stringify({ steps: summary.steps, resumedFrom: summary.resumedFrom ?? null, finalLoss: summary.finalLoss, weights }));
