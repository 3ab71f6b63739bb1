import { createLinearWarmupSchedule, createModifier, createRandom, createTrainer, tf, type Modifier, type Module, type TrainingData } from '@pofa/core';
import { createModel, createWordPieceTokenizer, presetConfig, sequenceClassificationLoss, trainWordPieceVocab, type BertModel } from '@pofa/models';
import { createTextBatcher, evaluate, loadSpamTask, type EmbeddedTask, type EncodeFunction, type TextBatch, type TextExample } from '@pofa/tasks';

/**
 * Sizes of the end-to-end run. `ci` keeps the acceptance test near a minute on 2 cores (wasm
 * backend); `full` is the bert-tiny-sized run of `scripts/e2e-full.sh`.
 */
export interface PipelineScale {
  trainExamples: number;
  evalExamples: number;
  vocabSize: number;
  hiddenSize: number;
  layers: number;
  heads: number;
  maxLength: number;
  batchSize: number;
  denseSteps: number;
  sparseSteps: number;
  qatSteps: number;
  learningRate: number;
}

/** The two scales of the end-to-end run. */
export const PIPELINE_SCALES: Record<'ci' | 'full', PipelineScale> = {
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
function yieldToEventLoop(): Modifier {
  return createModifier({ kind: 'e2e/yield', onUpdate: () => new Promise<void>((resolve) => setImmediate(resolve)) });
}

/** What {@link createSpamPipeline} sets up: the data, a model, and training / evaluation helpers. */
export interface SpamPipeline {
  scale: PipelineScale;
  task: EmbeddedTask;
  train: TextExample[];
  model: BertModel;
  encode: EncodeFunction;
  padId: number;
  /** Trains `steps` AdamW steps (warmup 10%, linear decay) with the given modifiers; returns the last loss. */
  fit(steps: number, modifiers?: Modifier[], learningRate?: number): Promise<number>;
  /** Accuracy on the evaluation examples (model in eval mode during the call). */
  accuracy(): Promise<number>;
  /** Batches of the training examples (for calibration); dispose each. */
  trainBatches(count: number): Generator<TextBatch>;
  /** The classification loss of a fixed batch (for Hessian traces). */
  fixedBatchLoss(size: number): { loss: (model: Module) => tf.Scalar; dispose(): void };
  /** The majority-class accuracy on the evaluation examples. */
  majorityAccuracy: number;
}

/**
 * The spam task (`@pofa/tasks`), a seeded subset of its training split, a WordPiece vocabulary
 * trained on that text, and a small BERT classifier (`bert-tiny` shrunk by `scale`).
 *
 * @example
 * ```ts
 * const pipeline = await createSpamPipeline(PIPELINE_SCALES.ci);
 * await pipeline.fit(100);
 * console.log(await pipeline.accuracy());
 * ```
 */
export async function createSpamPipeline(scale: PipelineScale, seed = 7): Promise<SpamPipeline> {
  const loaded = await loadSpamTask();
  const train = createRandom(seed).shuffle([...loaded.train]).slice(0, scale.trainExamples);
  const validation = loaded.validation.slice(0, scale.evalExamples);
  const task: EmbeddedTask = { ...loaded, train, validation };
  const vocab = trainWordPieceVocab(train.map((example) => example.text), { vocabSize: scale.vocabSize });
  const tokenizer = await createWordPieceTokenizer({ vocab });
  const texts = [...new Set([...train, ...validation].map((example) => example.text))];
  const encodings = await tokenizer.encodeBatch(texts, { maxLength: scale.maxLength });
  const cache = new Map(texts.map((text, index) => [text, encodings[index]]));
  const encode: EncodeFunction = (text) => {
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
  const model = createModel(config, { task: 'sequence-classification', numLabels: 2, seed }) as BertModel;
  const batchOf = (examples: TextExample[]): TextBatch => {
    const batcher = createTextBatcher(examples, { encode, padId, batchSize: examples.length, maxLength: scale.maxLength, labels: task.labels });
    return batcher.batches(0).next().value as TextBatch;
  };
  const data: TrainingData<TextBatch> = { size: train.length, batch: (indices) => batchOf(indices.map((index) => train[index])) };
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
          return { loss: sequenceClassificationLoss(outputs.logits as tf.Tensor, batch.labels as tf.Tensor) };
        },
      });
      return (await trainer.train()).finalLoss;
    },
    async accuracy() {
      const wasTraining = model.training;
      model.eval();
      try {
        const result = await evaluate((batch) => model.forward(batch).logits as tf.Tensor, task, 'validation', {
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
        loss: (current) => tf.tidy(() => sequenceClassificationLoss((current as BertModel).forward(batch).logits as tf.Tensor, batch.labels as tf.Tensor)),
        dispose: () => batch.dispose(),
      };
    },
  };
}
