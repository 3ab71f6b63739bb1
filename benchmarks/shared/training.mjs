// Training helpers the benchmark pipelines share: one Trainer run per stage, MLM and task data.
import { createLinearWarmupSchedule, createModifier, createTrainer, tf } from '@pofa/core';
import { maskedLmLoss, sequenceClassificationLoss } from '@pofa/models';
import { createMaskedLmBatcher, createTextBatcher } from '@pofa/tasks';

/**
 * A modifier that lets the event loop run between steps, so a long synchronous training run
 * does not starve timers, signals or a test runner's messages.
 *
 * @example
 * ```js
 * createTrainer({ ..., modifiers: [yieldToEventLoop()] });
 * ```
 */
export function yieldToEventLoop() {
  return createModifier({ kind: 'benchmarks/yield', onUpdate: () => new Promise((resolve) => setImmediate(resolve)) });
}

/**
 * Trains `model` for `steps` optimizer steps with the core Trainer: AdamW, linear warmup (10%)
 * then linear decay, clipping at 1, seeded; `modifiers` run alongside (pruning, distillation, QAT).
 * Returns the first and last loss.
 *
 * @example
 * ```js
 * const { finalLoss } = await trainStage({ model, data, loss: classificationTrainingLoss, steps: 100, learningRate: 2e-3, batchSize: 16, seed: 0 });
 * ```
 */
export async function trainStage({ model, data, loss, steps, learningRate, batchSize, seed, modifiers = [] }) {
  const trainer = createTrainer({
    model,
    data,
    loss,
    schedule: createLinearWarmupSchedule({ learningRate, warmupSteps: Math.ceil(steps / 10), totalSteps: steps }),
    maxSteps: steps,
    batchSize,
    seed,
    clipNorm: 1,
    progress: false,
    modifiers: [...modifiers, yieldToEventLoop()],
  });
  try {
    const summary = await trainer.train();
    return { firstLoss: summary.history[0]?.loss ?? Number.NaN, finalLoss: summary.finalLoss };
  } finally {
    trainer.optimizer.dispose();
  }
}

function firstBatch(batches) {
  const next = batches.next();
  batches.return(undefined);
  return next.value;
}

/**
 * Masked-LM training data over `texts` (BERT masking, seeded by the batch's indices).
 *
 * @example
 * ```js
 * const data = maskedLmData(texts, encoder);
 * ```
 */
export function maskedLmData(texts, encoder) {
  const { tokenizer } = encoder;
  return {
    size: texts.length,
    batch: (indices) =>
      firstBatch(
        createMaskedLmBatcher(
          indices.map((index) => texts[index]),
          {
            encode: encoder.encode, padId: tokenizer.padId, maskId: tokenizer.maskId, vocabSize: tokenizer.vocabSize,
            specialIds: [tokenizer.clsId, tokenizer.sepId, tokenizer.unkId], batchSize: indices.length, maxLength: encoder.maxLength,
            shuffle: false, seed: indices.reduce((hash, index) => (hash * 31 + index) | 0, 7),
          },
        ).batches(0),
      ),
  };
}

/**
 * Labelled data of a classification or regression task (`labelling`: `{ labels }` or
 * `{ regression: true, labelScale }`).
 *
 * @example
 * ```js
 * const data = taskData(task.train, encoder, { labels: task.labels });
 * ```
 */
export function taskData(examples, encoder, labelling) {
  return {
    size: examples.length,
    batch: (indices) =>
      firstBatch(
        createTextBatcher(
          indices.map((index) => examples[index]),
          { encode: encoder.encode, padId: encoder.tokenizer.padId, batchSize: indices.length, maxLength: encoder.maxLength, ...labelling },
        ).batches(0),
      ),
  };
}

/**
 * The masked-LM loss of a step; `outputs.mask` marks the positions the loss reads (what the
 * distillation modifier compares).
 *
 * @example
 * ```js
 * await trainStage({ model, data: maskedLmData(texts, encoder), loss: maskedLmTrainingLoss, ... });
 * ```
 */
export function maskedLmTrainingLoss(model, batch, context) {
  const outputs = model.forward(
    { inputIds: batch.inputIds, attentionMask: batch.attentionMask, tokenTypeIds: batch.tokenTypeIds },
    { training: true, random: context.random },
  );
  const mask = tf.cast(tf.notEqual(batch.labels, -100), 'float32');
  return { loss: maskedLmLoss(outputs.logits, batch.labels), outputs: { ...outputs, mask } };
}

/**
 * The cross-entropy (classification) or MSE (one output: regression) loss of a step.
 *
 * @example
 * ```js
 * await trainStage({ model, data: taskData(...), loss: classificationTrainingLoss, ... });
 * ```
 */
export function classificationTrainingLoss(model, batch, context) {
  const outputs = model.forward(
    { inputIds: batch.inputIds, attentionMask: batch.attentionMask, tokenTypeIds: batch.tokenTypeIds },
    { training: true, random: context.random },
  );
  return { loss: sequenceClassificationLoss(outputs.logits, batch.labels), outputs };
}
