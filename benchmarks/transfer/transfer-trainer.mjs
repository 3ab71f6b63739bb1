// The pofa side of the transfer benchmark as a function: the sparse transfer step of `pofa
// transfer` (packages/cli/src/pipeline/sparse.ts and quantize.ts) — the checkpoint loaded with a
// 2-label classification head, pattern lock on every encoder Linear weight, optionally a dense
// teacher distilled and int8 QAT, trained by the core Trainer as `trainStage` sets it up (AdamW,
// 10% linear warmup then decay, clipping at 1) on batches of workload.mjs, consumed in order.
import { ENCODER_LINEAR_WEIGHTS, createLinearWarmupSchedule, createModifier, createRandom, createTrainer, tf } from '@pofa/core';
import { createDistillationModifier } from '@pofa/distill';
import { createPatternLockModifier } from '@pofa/prune';
import { createQatModifier } from '@pofa/quant';
import { CONFIGS, DISTILLATION, LABELS, SEQ, readBatches } from './workload.mjs';

/**
 * Loads the student (and teacher) and returns { model, trainer, marks }: `marks` gets the time of
 * each step's start (push one more after train() for the end of the last step). A step of
 * `batchSize` examples runs as passes of `microBatchSize` whose gradients accumulate, as
 * `trainStage` splits batches over its token budget.
 */
export async function createTransferTrainer({ models, student, teacher, batches: file, batchSize, microBatchSize = batchSize, steps, config: configName, seed = 0 }) {
  if (batchSize % microBatchSize !== 0) throw new Error(`the micro-batch ${microBatchSize} does not divide the batch ${batchSize}`);
  const config = CONFIGS[configName];
  const { model } = await models.loadPretrained(student, { task: 'sequence-classification', numLabels: LABELS });
  const teacherModel = config.teacher ? (await models.loadPretrained(teacher, { task: 'sequence-classification', numLabels: LABELS })).model : undefined;
  const batches = (await readBatches(file, batchSize)).slice(0, steps);
  if (batches.length < steps) throw new Error(`${file} holds ${batches.length} batches of ${batchSize}, fewer than ${steps} steps`);
  // The rows of the step batches in order, `indices.length` (one micro-batch) at a time.
  let row = 0;
  const data = {
    size: steps * batchSize,
    batch(indices) {
      const rows = indices.length;
      const { ids, mask, labels } = batches[Math.floor(row / batchSize)];
      const at = row % batchSize;
      row += rows;
      return {
        inputIds: tf.tensor2d(ids.subarray(at * SEQ, (at + rows) * SEQ), [rows, SEQ], 'int32'),
        attentionMask: tf.tensor2d(mask.subarray(at * SEQ, (at + rows) * SEQ), [rows, SEQ], 'int32'),
        labels: tf.tensor1d(labels.subarray(at, at + rows), 'int32'),
      };
    },
  };
  // classificationTrainingLoss of packages/cli/src/pipeline/stage-training.ts (not exported by @pofa/cli).
  const loss = (trained, batch, context) => {
    const outputs = trained.forward({ inputIds: batch.inputIds, attentionMask: batch.attentionMask }, { training: true, random: context.random });
    return { loss: models.sequenceClassificationLoss(outputs.logits, batch.labels), outputs };
  };
  const marks = [];
  const clock = createModifier({ kind: 'bench/step-clock', onUpdate: () => void marks.push(performance.now()) });
  // As pipeline/quantize.ts: pattern lock first (its masks go on at initialize), then QAT, then the teacher.
  const modifiers = [clock, createPatternLockModifier({})];
  if (config.qat) {
    modifiers.push(createQatModifier({
      start: 0,
      targets: { include: [...ENCODER_LINEAR_WEIGHTS] },
      weights: { bits: 8, perChannel: false },
      activations: { observer: 'ema', freezeAfterSteps: Math.max(1, Math.floor(steps * 0.5)) },
    }));
  }
  if (teacherModel !== undefined) modifiers.push(createDistillationModifier({ teacher: teacherModel, config: DISTILLATION, random: createRandom(seed + 2) }));
  const trainer = createTrainer({
    model, data, loss, modifiers,
    schedule: createLinearWarmupSchedule({ learningRate: config.learningRate, warmupSteps: Math.ceil(steps / 10), totalSteps: steps }),
    maxSteps: steps, batchSize: microBatchSize, gradientAccumulation: batchSize / microBatchSize, seed, clipNorm: 1, progress: false,
  });
  return { model, teacher: teacherModel, trainer, marks };
}
