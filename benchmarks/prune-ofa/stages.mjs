// The stages of Prune OFA for one model: teacher, sparse pre-training, transfer, QAT. Each saves under its folder.
import { access, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRandom, writeFileAtomic } from '@pofa/core';
import { createDistillationModifier, distillationPreset } from '@pofa/distill';
import { createModel, initStudentFromTeacher, loadPretrained, presetConfig, savePretrained } from '@pofa/models';
import { createGradualPruningModifier, createPatternLockModifier } from '@pofa/prune';
import { createQatModifier } from '@pofa/quant';
import { labelCountOf, labellingOf } from '../shared/data.mjs';
import { classificationTrainingLoss, maskedLmData, maskedLmTrainingLoss, taskData, trainStage } from '../shared/training.mjs';

/**
 * Runs `work(dir)` once per folder: a folder whose `done.json` exists is finished, and its record
 * is returned without running again (so an interrupted long run continues where it stopped).
 *
 * @example
 * ```js
 * const record = await onceIn('out/work/bert-base/teacher', async (dir) => ({ loss: 1.2 }));
 * ```
 */
export async function onceIn(dir, work) {
  const done = join(dir, 'done.json');
  try {
    await access(done);
    return JSON.parse(await readFile(done, 'utf8'));
  } catch {
    await mkdir(dir, { recursive: true });
    const record = (await work(dir)) ?? {};
    await writeFileAtomic(done, `${JSON.stringify(record, null, 2)}\n`);
    return record;
  }
}

/** A model saved by a stage, loaded with the head the next stage needs. */
export async function loadStageModel(dir, task, numLabels) {
  const { model } = await loadPretrained(dir, { task, ...(numLabels === undefined ? {} : { numLabels }) });
  return model;
}

/** The BERT config of a model spec of a scale (FFN 4× hidden), with the run's vocabulary. */
export function modelConfig(spec, context) {
  return presetConfig('bert-tiny', {
    vocab_size: context.encoder.tokenizer.vocabSize,
    max_position_embeddings: context.scale.maxLength,
    num_hidden_layers: spec.layers,
    hidden_size: spec.hidden,
    num_attention_heads: spec.heads,
    intermediate_size: 4 * spec.hidden,
  });
}

/**
 * The dense pre-trained model of a row: masked-LM pre-training from scratch, or (DistilBERT-like
 * specs) a student initialised from every other layer of its teacher, trained with masked LM +
 * KL to it. Saved with `savePretrained` (masked-LM head) in `dir`.
 *
 * @example
 * ```js
 * await pretrainDense(spec, 'out/work/bert-base/teacher', context);
 * ```
 */
export async function pretrainDense(spec, dir, context, teacherDir) {
  const { scale } = context;
  return onceIn(dir, async () => {
    const config = modelConfig(spec, context);
    let model;
    const modifiers = [];
    let teacher;
    if (teacherDir === undefined) {
      model = createModel(config, { task: 'masked-lm', seed: context.seed });
    } else {
      teacher = await loadStageModel(teacherDir, 'masked-lm');
      const step = teacher.config.num_hidden_layers / spec.layers;
      const layers = Array.from({ length: spec.layers }, (_, index) => Math.round((index + 1) * step) - 1);
      model = initStudentFromTeacher(teacher, config, { layers, seed: context.seed }).student;
      modifiers.push(createDistillationModifier({ teacher, config: distillationPreset('prune-ofa'), random: createRandom(context.seed + 1) }));
    }
    try {
      const losses = await trainStage({
        model, data: maskedLmData(context.texts, context.encoder), loss: maskedLmTrainingLoss, modifiers,
        steps: scale.steps.teacherPretrain, learningRate: scale.learningRate.pretrain, batchSize: scale.batchSize, seed: context.seed,
      });
      await savePretrained(model, dir);
      return { ...losses, distilledFrom: teacherDir ?? null };
    } finally {
      model.dispose();
      teacher?.dispose();
    }
  });
}

/**
 * Sparse pre-training (Prune OFA stage 1): a student initialised from the dense model (all
 * layers) trains with masked LM + KL to it (0.5/0.5, T = 2) while cubic gradual magnitude
 * pruning takes every encoder Linear weight to `sparsity` (0 → final over the first half of the
 * steps, masks recomputed up to 80%, then fixed). Saves the sparse model (zeros baked in) in `dir`.
 *
 * @example
 * ```js
 * await sparsePretrain('out/work/bert-base/teacher', 0.9, 'out/work/bert-base/sparse-90', context);
 * ```
 */
export async function sparsePretrain(teacherDir, sparsity, dir, context) {
  const { scale } = context;
  return onceIn(dir, async () => {
    const teacher = await loadStageModel(teacherDir, 'masked-lm');
    const { student } = initStudentFromTeacher(teacher, teacher.config, { layers: 'first', seed: context.seed });
    const steps = scale.steps.sparsePretrain;
    const endStep = Math.max(1, Math.floor(steps * 0.5));
    const pruning = createGradualPruningModifier({
      finalSparsity: sparsity, schedule: 'cubic', startStep: 0, endStep,
      frequency: Math.max(1, Math.floor(endStep / 10)), maskUpdateEndStep: Math.max(endStep, Math.floor(steps * 0.8)),
    });
    const distillation = createDistillationModifier({ teacher, config: distillationPreset('prune-ofa'), random: createRandom(context.seed + 1) });
    try {
      const losses = await trainStage({
        model: student, data: maskedLmData(context.texts, context.encoder), loss: maskedLmTrainingLoss, modifiers: [distillation, pruning],
        steps, learningRate: scale.learningRate.pretrain, batchSize: scale.batchSize, seed: context.seed,
      });
      await savePretrained(student, dir);
      return { ...losses, sparsity };
    } finally {
      student.dispose();
      teacher.dispose();
    }
  });
}

/** The steps of a task stage: the scale's count, or `epochs` over the training set at `full`. */
export function taskSteps(context, task, stage) {
  const { scale } = context;
  const fixed = scale.steps[stage];
  if (fixed > 0) return fixed;
  return Math.max(1, Math.ceil((scale.epochs[stage] * task.train.length) / scale.batchSize));
}

/**
 * The task distillation of transfer: KL at T = 2 (classification) or logits MSE (regression),
 * 0.5 task loss + 0.5 distillation, from the fine-tuned dense teacher.
 */
function taskDistillation(teacher, task, seed) {
  const config = task.regression
    ? { temperature: 1, hardWeight: 0.5, softWeight: 0.5, softLoss: 'distill/logits-mse' }
    : distillationPreset('prune-ofa');
  return createDistillationModifier({ teacher, config, random: createRandom(seed) });
}

/**
 * Fine-tunes the dense pre-trained model on a task (the transfer teacher) and evaluates it (the
 * "dense" row).
 *
 * @example
 * ```js
 * const { value } = await finetuneDense('out/work/bert-base/teacher', task, 'out/work/bert-base/spam/dense', context, evaluateModel);
 * ```
 */
export async function finetuneDense(teacherDir, task, dir, context, evaluateModel) {
  const { scale } = context;
  return onceIn(dir, async () => {
    const model = await loadStageModel(teacherDir, 'sequence-classification', labelCountOf(task));
    try {
      const losses = await trainStage({
        model, data: taskData(task.train, context.encoder, labellingOf(task)), loss: classificationTrainingLoss,
        steps: taskSteps(context, task, 'teacherFinetune'), learningRate: scale.learningRate.finetune, batchSize: scale.batchSize, seed: context.seed,
      });
      await savePretrained(model, dir);
      return { ...losses, ...(await evaluateModel(model, task, context)) };
    } finally {
      model.dispose();
    }
  });
}

/**
 * Sparse transfer (Prune OFA stage 2): the sparse pre-trained encoder with a new task head,
 * pattern lock on every encoder Linear weight, and distillation from the fine-tuned dense
 * teacher. With `qat`, a further run from the transferred model adds quantization-aware training
 * (8-bit weights per channel, 8-bit inputs with EMA observers; pattern lock and distillation
 * kept) and `evaluateModel` runs while the fake quantization is on. Returns `evaluateModel`'s
 * result with the training losses.
 *
 * @example
 * ```js
 * const { value } = await sparseTransfer({ sparseDir, teacherDir, task, dir, qat: false }, context, evaluateModel);
 * ```
 */
export async function sparseTransfer({ sparseDir, teacherDir, task, dir, qat }, context, evaluateModel) {
  const { scale } = context;
  return onceIn(dir, async () => {
    const numLabels = labelCountOf(task);
    const model = await loadStageModel(sparseDir, 'sequence-classification', numLabels);
    const teacher = await loadStageModel(teacherDir, 'sequence-classification', numLabels);
    const stage = qat ? 'qat' : 'transfer';
    const steps = taskSteps(context, task, stage);
    const modifiers = [createPatternLockModifier({}), taskDistillation(teacher, task, context.seed + 2)];
    if (qat) modifiers.push(createQatModifier({ weights: { bits: 8, perChannel: true }, activations: { observer: 'ema', freezeAfterSteps: Math.floor(steps * 0.75) } }));
    try {
      const losses = await trainStage({
        model, data: taskData(task.train, context.encoder, labellingOf(task)), loss: classificationTrainingLoss, modifiers,
        steps, learningRate: qat ? scale.learningRate.qat : scale.learningRate.finetune, batchSize: scale.batchSize, seed: context.seed + (qat ? 1 : 0),
      });
      if (!qat) await savePretrained(model, dir);
      return { ...losses, ...(await evaluateModel(model, task, context)) };
    } finally {
      model.dispose();
      teacher.dispose();
    }
  });
}
