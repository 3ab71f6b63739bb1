// The harness of the sparse + int8 end-to-end run (sparse-qat.test.mjs): the spam task, a
// WordPiece vocabulary trained on it and a small BERT classifier, with training and evaluation
// helpers. Experiment code: it lives in benchmarks/, not in @pofa/quant.
import { createLinearWarmupSchedule, createModifier, createRandom, createTrainer, tf } from '@pofa/core';
import { createModel, createWordPieceTokenizer, presetConfig, sequenceClassificationLoss, trainWordPieceVocab } from '@pofa/models';
import { createTextBatcher, evaluate, loadSpamTask } from '@pofa/tasks';

/**
 * Sizes of the end-to-end run. `ci` keeps the acceptance test near a minute on 2 cores (wasm
 * backend); `full` is the bert-tiny-sized run of `run-full.sh`.
 *
 * @typedef {object} PipelineScale
 * @property {number} trainExamples
 * @property {number} evalExamples
 * @property {number} vocabSize
 * @property {number} hiddenSize
 * @property {number} layers
 * @property {number} heads
 * @property {number} maxLength
 * @property {number} batchSize
 * @property {number} denseSteps
 * @property {number} sparseSteps
 * @property {number} qatSteps
 * @property {number} learningRate
 */

/** The two scales of the end-to-end run. @type {Record<'ci' | 'full', PipelineScale>} */
export const PIPELINE_SCALES = {
  ci: {
    trainExamples: 800, evalExamples: 567, vocabSize: 1500, hiddenSize: 64, layers: 2, heads: 2,
    maxLength: 32, batchSize: 16, denseSteps: 120, sparseSteps: 60, qatSteps: 60, learningRate: 3e-3,
  },
  full: {
    trainExamples: 4530, evalExamples: 567, vocabSize: 4000, hiddenSize: 128, layers: 2, heads: 2,
    maxLength: 64, batchSize: 32, denseSteps: 400, sparseSteps: 200, qatSteps: 200, learningRate: 1e-3,
  },
};

/** A modifier that lets the event loop run between steps (long synchronous runs starve the test runner's RPC). */
function yieldToEventLoop() {
  return createModifier({ kind: 'e2e/yield', onUpdate: () => new Promise((resolve) => setImmediate(resolve)) });
}

/**
 * The spam task (`@pofa/tasks`), a seeded subset of its training split, a WordPiece vocabulary
 * trained on that text, and a small BERT classifier (`bert-tiny` shrunk by `scale`). Returns
 * `{ scale, task, train, model, encode, padId, majorityAccuracy, fit(steps, modifiers?,
 * learningRate?), accuracy(), trainBatches(count), fixedBatchLoss(size) }`: `fit` trains AdamW
 * steps (warmup 10%, linear decay) and returns the last loss; `accuracy` scores the evaluation
 * examples in eval mode; `trainBatches` yields training batches (dispose each) for calibration;
 * `fixedBatchLoss` is the classification loss of one fixed batch (for Hessian traces).
 *
 * @example
 * ```js
 * const pipeline = await createSpamPipeline(PIPELINE_SCALES.ci);
 * await pipeline.fit(100);
 * console.log(await pipeline.accuracy());
 * ```
 *
 * @param {PipelineScale} scale
 * @param {number} [seed]
 */
export async function createSpamPipeline(scale, seed = 7) {
  const loaded = await loadSpamTask();
  const train = createRandom(seed).shuffle([...loaded.train]).slice(0, scale.trainExamples);
  const validation = loaded.validation.slice(0, scale.evalExamples);
  const task = { ...loaded, train, validation };
  const vocab = trainWordPieceVocab(train.map((example) => example.text), { vocabSize: scale.vocabSize });
  const tokenizer = await createWordPieceTokenizer({ vocab });
  const texts = [...new Set([...train, ...validation].map((example) => example.text))];
  const encodings = await tokenizer.encodeBatch(texts, { maxLength: scale.maxLength });
  const cache = new Map(texts.map((text, index) => [text, encodings[index]]));
  const encode = (text) => {
    const found = cache.get(text) ?? { inputIds: [tokenizer.clsId, tokenizer.sepId], tokenTypeIds: [0, 0] };
    return { inputIds: found.inputIds, tokenTypeIds: found.tokenTypeIds };
  };
  const padId = tokenizer.padId;
  const config = presetConfig('bert-tiny', {
    vocab_size: vocab.length,
    hidden_size: scale.hiddenSize,
    num_hidden_layers: scale.layers,
    num_attention_heads: scale.heads,
    intermediate_size: 4 * scale.hiddenSize,
    max_position_embeddings: scale.maxLength,
  });
  const model = createModel(config, { task: 'sequence-classification', numLabels: 2, seed });
  const batchOf = (examples) => {
    const batcher = createTextBatcher(examples, { encode, padId, batchSize: examples.length, maxLength: scale.maxLength, labels: task.labels });
    return batcher.batches(0).next().value;
  };
  const data = { size: train.length, batch: (indices) => batchOf(indices.map((index) => train[index])) };
  let runs = 0;
  const ham = validation.filter((example) => example.label === 'ham').length;
  return {
    scale,
    task,
    train,
    model,
    encode,
    padId,
    majorityAccuracy: Math.max(ham, validation.length - ham) / validation.length,
    async fit(steps, modifiers = [], learningRate = scale.learningRate) {
      const trainer = createTrainer({
        model,
        data,
        maxSteps: steps,
        batchSize: scale.batchSize,
        seed: seed + runs++,
        progress: false,
        schedule: createLinearWarmupSchedule({ learningRate, warmupSteps: Math.ceil(steps / 10), totalSteps: steps }),
        modifiers: [...modifiers, yieldToEventLoop()],
        loss: (current, batch, context) => {
          const outputs = current.forward(batch, { training: true, random: context.random });
          return { loss: sequenceClassificationLoss(outputs.logits, batch.labels) };
        },
      });
      return (await trainer.train()).finalLoss;
    },
    async accuracy() {
      const wasTraining = model.training;
      model.eval();
      try {
        const result = await evaluate((batch) => model.forward(batch).logits, task, 'validation', {
          encode, padId, batchSize: 64, maxLength: scale.maxLength,
        });
        return result.metrics.accuracy;
      } finally {
        model.train(wasTraining);
      }
    },
    *trainBatches(count) {
      for (let start = 0; start < count * scale.batchSize; start += scale.batchSize) yield batchOf(train.slice(start, start + scale.batchSize));
    },
    fixedBatchLoss(size) {
      const batch = batchOf(train.slice(0, size));
      return {
        loss: (current) => tf.tidy(() => sequenceClassificationLoss(current.forward(batch).logits, batch.labels)),
        dispose: () => batch.dispose(),
      };
    },
  };
}
