// Issue experiment: a student distilled from a pre-trained teacher on the embedded MLM corpus
// reaches a lower masked-LM loss than the same student trained from scratch for the same steps.
//
//   cd benchmarks && node distill-vs-scratch/experiment.mjs [--scale=ci|issue] [--backend=wasm] [--teacherSteps=N ...]
//   cd benchmarks && node distill-vs-scratch/run.mjs             (the issue scale on pofa-native; writes results/)
//
// `issue` (the issue's sizes): teacher bert-mini (4 layers, 256), student bert-tiny (2, 128),
// the whole embedded SOTU training split. `ci`: the same recipe shrunk so it runs in well under
// a minute. Any scale field can be overridden (`--studentSteps=200`); `softPositions` picks where
// the soft targets apply: `masked` (the masked-LM positions) or `tokens` (every non-padding one);
// `preset` the distillation preset (default prune-ofa), `hardWeight`/`softWeight`/`temperature`
// override its weights; `variants='[{"name":"t1","temperature":1}, ...]'` compares several
// distillation configs against one scratch student; `seeds=N` repeats the students over N seeds
// (reported as means, and per seed in `runs`); `evalEvery=N` prints the validation loss every N
// steps of each training; `teacherCache=DIR` keeps the trained teacher.
import { createLinearWarmupSchedule, createTrainer, createRandom, initBackend, tf } from '@pofa/core';
import { distillationPreset, createDistillationModifier, featureRequest } from '@pofa/distill';
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BertModel, createWordPieceTokenizer, loadPretrained, maskedLmLoss, presetConfig, savePretrained, trainWordPieceVocab } from '@pofa/models';
import { createMaskedLmBatcher, loadMlmCorpus } from '@pofa/tasks';

export const SCALES = {
  ci: { texts: 300, vocab: 600, maxLength: 48, batch: 16, teacherSteps: 250, studentSteps: 120, teacher: { layers: 2, hidden: 96, heads: 4 }, student: { layers: 1, hidden: 48, heads: 2 } },
  issue: {
    texts: 17026, vocab: 1000, maxLength: 64, batch: 32, teacherSteps: 8000, studentSteps: 400, teacherRate: 1e-3, softPositions: 'masked', seeds: 2,
    teacher: { layers: 4, hidden: 256, heads: 4 }, student: { layers: 2, hidden: 128, heads: 2 },
    // The teacher sits on the unigram plateau (validation loss ~5.4–5.6, unigram 6.0) for ~6000
    // steps, then breaks through (4.51 at 7000, 4.08 at 8000); the students' 400 steps stay on
    // their plateau. Variants: the Prune OFA objective plus TinyBERT-style embedding and hidden
    // MSE on the uniform mapping (projected 128 → 256); the teacher's distribution alone at T = 1;
    // the Prune OFA preset as is.
    variants: [
      { name: 'prune-ofa+hidden', intermediate: [[0, 0, 'embeddings'], [1, 2, 'hidden'], [2, 4, 'hidden']].map(([studentLayer, teacherLayer, feature]) => (
        { studentLayer, teacherLayer, feature, loss: 'distill/hidden-mse', projection: { studentDim: 128, teacherDim: 256 } })) },
      { name: 'soft-t1', temperature: 1, hardWeight: 0, softWeight: 1 },
      { name: 'prune-ofa' },
    ],
  },
};

export function bert(shape, vocab, maxLength, seed) {
  const config = presetConfig('bert-tiny', {
    vocab_size: vocab, max_position_embeddings: maxLength, num_hidden_layers: shape.layers, hidden_size: shape.hidden,
    num_attention_heads: shape.heads, intermediate_size: 4 * shape.hidden,
  });
  return new BertModel(config, { task: 'masked-lm', seed });
}

/** Infinite masked-LM data for the Trainer: batch(indices) walks the epochs of the batcher. */
export function trainingData(batcher) {
  let epoch = 0;
  let iterator = batcher.batches(epoch);
  return {
    size: batcher.numExamples,
    batch: () => {
      let next = iterator.next();
      if (next.done) {
        iterator = batcher.batches(++epoch);
        next = iterator.next();
      }
      return next.value;
    },
  };
}

/** The masked-LM loss; `softPositions` says where the distillation's soft targets apply. */
function mlmLoss(softPositions, features) {
  return (model, batch, context) => {
    const outputs = model.forward({ inputIds: batch.inputIds, attentionMask: batch.attentionMask }, { training: true, random: context.random, features });
    const mask = softPositions === 'tokens' ? tf.cast(batch.attentionMask, 'float32') : tf.cast(tf.notEqual(batch.labels, -100), 'float32');
    return { loss: maskedLmLoss(outputs.logits, batch.labels), outputs: { ...outputs, mask } };
  };
}

export function validationLoss(model, batcher) {
  let total = 0;
  let count = 0;
  for (const batch of batcher.batches(0)) {
    total += tf.tidy(() => maskedLmLoss(model.forward({ inputIds: batch.inputIds, attentionMask: batch.attentionMask }).logits, batch.labels).dataSync()[0]);
    count += 1;
    batch.dispose();
  }
  return total / count;
}

/**
 * The cross-entropy of the validation batches' masked labels under the training labels' unigram
 * frequencies (add-one smoothed): the loss of a model that ignores the context, the plateau that
 * masked-LM training sits on before its attention learns to use the context.
 */
function unigramLoss(trainBatcher, validationBatcher, vocabSize) {
  const counts = new Float64Array(vocabSize).fill(1);
  const labelsOf = function* (batcher) {
    for (const batch of batcher.batches(0)) {
      const labels = batch.labels.dataSync();
      batch.dispose();
      for (const label of labels) if (label >= 0) yield label;
    }
  };
  for (const label of labelsOf(trainBatcher)) counts[label] += 1;
  const total = counts.reduce((sum, count) => sum + count, 0);
  let loss = 0;
  let count = 0;
  for (const label of labelsOf(validationBatcher)) {
    loss -= Math.log(counts[label] / total);
    count += 1;
  }
  return loss / count;
}

export async function train(model, batcher, steps, seed, modifiers = [], rate = 2e-3, softPositions = 'masked', curve) {
  // Linear warmup over the first 10% of the steps, then linear decay (the BERT recipe).
  const schedule = createLinearWarmupSchedule({ learningRate: rate, warmupSteps: Math.ceil(steps / 10), totalSteps: steps });
  const evaluation = curve === undefined ? {} : {
    evalEvery: curve.every,
    evaluate: (evaluated) => {
      const loss = validationLoss(evaluated, curve.batcher);
      curve.points.push(loss);
      curve.note(`${curve.name} validation loss ${loss.toFixed(3)}`);
      return { loss };
    },
  };
  const trainer = createTrainer({ model, data: trainingData(batcher), loss: mlmLoss(softPositions, featureRequest(modifiers.flatMap((modifier) => modifier.config?.intermediate.map((match) => match.feature) ?? []))), schedule, maxSteps: steps, batchSize: 1, clipNorm: 1, progress: false, seed, modifiers, ...evaluation });
  await trainer.train();
  trainer.optimizer.dispose();
}

/**
 * The distillation variants to compare with the scratch student: `variants` (a JSON array of
 * `{ name, preset?, hardWeight?, softWeight?, temperature?, softPositions? }`), else one variant
 * from the scale's `preset`, weights and `softPositions`.
 */
function variantsOf(scale) {
  if (scale.variants !== undefined) return typeof scale.variants === 'string' ? JSON.parse(scale.variants) : scale.variants;
  const weights = Object.fromEntries(['hardWeight', 'softWeight', 'temperature'].filter((key) => scale[key] !== undefined).map((key) => [key, scale[key]]));
  return [{ name: scale.preset ?? 'prune-ofa', preset: scale.preset ?? 'prune-ofa', softPositions: scale.softPositions ?? 'masked', ...weights }];
}

/**
 * The experiment's data at a scale: the SOTU training passages, a WordPiece vocabulary trained on
 * them, and seeded masked-LM batchers over the training and validation passages.
 */
export async function prepareData(scale) {
  const corpus = await loadMlmCorpus({ sources: ['sotu'] });
  const trainTexts = corpus.train.slice(0, scale.texts);
  const validation = corpus.validation.slice(0, Math.max(32, Math.floor(scale.texts / 10)));
  const vocab = trainWordPieceVocab(trainTexts, { vocabSize: scale.vocab });
  const tokenizer = await createWordPieceTokenizer({ vocab, maxLength: scale.maxLength });
  // The batchers take a synchronous encoder: encode every text once up front.
  const encodings = new Map();
  for (const text of [...trainTexts, ...validation]) {
    const encoded = await tokenizer.encode(text, undefined, { maxLength: scale.maxLength });
    encodings.set(text, { inputIds: encoded.inputIds, tokenTypeIds: encoded.tokenTypeIds });
  }
  const common = {
    encode: (text) => encodings.get(text), padId: tokenizer.padId, maskId: tokenizer.maskId, vocabSize: tokenizer.vocabSize,
    specialIds: [tokenizer.clsId, tokenizer.sepId, tokenizer.unkId], batchSize: scale.batch, maxLength: scale.maxLength,
  };
  return {
    tokenizer,
    trainBatcher: (seed) => createMaskedLmBatcher(trainTexts, { ...common, seed }),
    validationBatcher: createMaskedLmBatcher(validation, { ...common, shuffle: false, seed: 99 }),
  };
}

export async function runExperiment(scaleName = 'ci', backend = 'wasm', overrides = {}) {
  const scale = { ...SCALES[scaleName], ...overrides };
  await initBackend({ backend });
  const { tokenizer, trainBatcher, validationBatcher } = await prepareData(scale);
  const started = Date.now();

  const note = (stage) => console.error(`[${((Date.now() - started) / 1000).toFixed(0)} s] ${stage}`);
  const curves = {};
  const curveOf = (name) => {
    if (scale.evalEvery === undefined) return undefined;
    curves[name] = [];
    return { name, every: scale.evalEvery, batcher: validationBatcher, points: curves[name], note };
  };
  const unigram = unigramLoss(trainBatcher(0), validationBatcher, tokenizer.vocabSize);
  note(`data and vocabulary ready (unigram loss ${unigram.toFixed(3)}); training the teacher`);
  // With `teacherCache` (a folder), the trained teacher is saved there under a hash of what
  // made it, and loaded instead of retrained next time (student variants then cost minutes).
  const teacherSettings = { texts: scale.texts, vocab: scale.vocab, maxLength: scale.maxLength, batch: scale.batch, steps: scale.teacherSteps, rate: scale.teacherRate ?? 2e-3, shape: scale.teacher };
  const cached = scale.teacherCache === undefined ? undefined : join(scale.teacherCache, createHash('sha256').update(JSON.stringify(teacherSettings)).digest('hex').slice(0, 16));
  let teacher;
  if (cached !== undefined && (await stat(join(cached, 'model.safetensors')).catch(() => undefined)) !== undefined) {
    teacher = (await loadPretrained(cached, { task: 'masked-lm' })).model;
    note(`teacher loaded from ${cached}`);
  } else {
    teacher = bert(scale.teacher, tokenizer.vocabSize, scale.maxLength, 1);
    await train(teacher, trainBatcher(1), scale.teacherSteps, 1, [], scale.teacherRate ?? 2e-3, 'masked', curveOf('teacher'));
    if (cached !== undefined) await savePretrained(teacher, cached);
  }
  teacher.eval();
  const teacherLoss = validationLoss(teacher, validationBatcher);

  // Each student seed trains the scratch student and every distillation variant from the same
  // initial weights on the same batches; the variants differ only in the distillation config.
  const shape = { studentLayers: scale.student.layers, teacherLayers: scale.teacher.layers, studentHidden: scale.student.hidden, teacherHidden: scale.teacher.hidden };
  const variants = variantsOf(scale);
  const seeds = Array.from({ length: scale.seeds ?? 1 }, (_, index) => 2 + 10 * index);
  const runs = [];
  for (const seed of seeds) {
    note(`teacher validation loss ${teacherLoss.toFixed(3)}; training the student from scratch (seed ${seed})`);
    const scratch = bert(scale.student, tokenizer.vocabSize, scale.maxLength, seed);
    await train(scratch, trainBatcher(seed), scale.studentSteps, seed, [], 2e-3, 'masked', curveOf(`scratch-${seed}`));
    scratch.eval();
    const run = { seed, scratchLoss: validationLoss(scratch, validationBatcher), distilled: {} };
    scratch.dispose();
    for (const variant of variants) {
      note(`scratch student (seed ${seed}) validation loss ${run.scratchLoss.toFixed(3)}; distilling the student: ${variant.name}`);
      const distilled = bert(scale.student, tokenizer.vocabSize, scale.maxLength, seed);
      const { name: _name, preset: presetName = 'prune-ofa', softPositions = 'masked', ...weights } = variant;
      const modifier = createDistillationModifier({ teacher, config: { ...distillationPreset(presetName, shape), ...weights }, random: createRandom(seed + 1) });
      await train(distilled, trainBatcher(seed), scale.studentSteps, seed, [modifier], 2e-3, softPositions, curveOf(`${variant.name}-${seed}`));
      distilled.eval();
      run.distilled[variant.name] = validationLoss(distilled, validationBatcher);
      note(`distilled student ${variant.name} (seed ${seed}) validation loss ${run.distilled[variant.name].toFixed(3)}`);
      distilled.dispose();
      modifier.projections.dispose();
    }
    runs.push(run);
  }
  const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const scratchLoss = mean(runs.map((run) => run.scratchLoss));
  const distilledLosses = Object.fromEntries(variants.map((variant) => [variant.name, mean(runs.map((run) => run.distilled[variant.name]))]));
  const { teacher: teacherShape, student: studentShape, teacherCache: _cache, variants: _variants, ...settings } = scale;
  const result = {
    scale: scaleName, backend, settings: { ...settings, teacherShape, studentShape }, variants, unigramLoss: unigram, teacherLoss,
    // Means over the student seeds; `distilledLoss` is the first variant's.
    scratchLoss, distilledLoss: distilledLosses[variants[0].name], distilledLosses, runs,
    ...(scale.evalEvery === undefined ? {} : { curves }), seconds: (Date.now() - started) / 1000,
  };
  teacher.dispose();
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { scale, backend, ...rest } = Object.fromEntries(process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split('=')));
  const overrides = Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, Number.isNaN(Number(value)) ? value : Number(value)]));
  const result = await runExperiment(scale ?? 'issue', backend ?? 'wasm', overrides);
  console.log(JSON.stringify(result, null, 2));
}
