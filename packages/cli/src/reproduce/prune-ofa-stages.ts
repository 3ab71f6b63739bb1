import { createRandom, type Modifier } from '@pofa/core';
import { createDistillationModifier, distillationPreset } from '@pofa/distill';
import { createModel, initStudentFromTeacher, presetConfig, savePretrained, type EncoderModel, type ModelConfig } from '@pofa/models';
import { createGradualPruningModifier, createPatternLockModifier } from '@pofa/prune';
import { createQatModifier } from '@pofa/quant';
import type { RunTask } from '@pofa/tasks';
import { loadModel } from '../pipeline/models';
import { classificationTrainingLoss, maskedLmData, maskedLmTrainingLoss, taskData } from '../pipeline/stage-training';
import { labelCountOf, labelling } from '../pipeline/teacher';
import type { PreparedEncoder } from '../pipeline/text-encoder';
import { evaluateCell, type CellResult } from './evaluation';
import type { StageSizes } from './prune-ofa-scales';
import type { Say } from './run-files';
import type { StageOutput } from './stage-identity';
import { onceIn, trainReproduceStage, type StageRecord, type TrainingSettings } from './stage-runner';

/**
 * What every stage of a run shares: the sizes, the seed, the corpus, the tokenizer, how to train,
 * and where to say that a stage folder of other settings was emptied.
 */
export interface StageContext {
  scale: StageSizes;
  seed: number;
  /** The masked-LM corpus of (sparse) pre-training. */
  texts: readonly string[];
  encoder: PreparedEncoder;
  training: TrainingSettings;
  say?: Say;
}

/** The losses of a training stage. */
export interface TrainedRecord {
  finalLoss: number;
}

/**
 * The BERT config of a model shape (FFN 4× hidden), with the run's vocabulary and sequence length.
 *
 * @example
 * ```ts
 * modelConfig({ layers: 2, hidden: 64, heads: 2 }, context).intermediate_size; // 256
 * ```
 */
export function modelConfig(spec: { layers: number; hidden: number; heads: number }, context: StageContext): ModelConfig {
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
 * The dense pre-trained model of a row: masked-LM pre-training from scratch, or (with `teacher`,
 * the DistilBERT analogue) a student initialised from every other layer of that teacher, trained
 * with masked LM + KL to it. Saved with `savePretrained` (masked-LM head) in `dir`. Its identity:
 * the shape, the steps, the learning rate and the teacher's identity.
 *
 * @example
 * ```ts
 * const base = await pretrainDense({ layers: 2, hidden: 64, heads: 2 }, 'work/bert-base/pretrained', context);
 * await pretrainDense({ layers: 1, hidden: 64, heads: 2 }, 'work/distilbert/pretrained', context, { dir: 'work/bert-base/pretrained', identity: base.identity });
 * ```
 */
export async function pretrainDense(
  spec: { layers: number; hidden: number; heads: number },
  dir: string,
  context: StageContext,
  teacher?: StageOutput,
): Promise<StageRecord<TrainedRecord & { distilledFrom: string | null }>> {
  const { scale } = context;
  const teacherDir = teacher?.dir;
  const identity = {
    stage: 'pretrain-dense', shape: { layers: spec.layers, hidden: spec.hidden, heads: spec.heads },
    steps: scale.steps.teacherPretrain, learningRate: scale.learningRate.pretrain, teacher: teacher?.identity ?? null,
  };
  return onceIn(dir, async () => {
    const config = modelConfig(spec, context);
    const modifiers: Modifier[] = [];
    let model: EncoderModel;
    let teacherModel: EncoderModel | undefined;
    if (teacherDir === undefined) {
      model = createModel(config, { task: 'masked-lm', seed: context.seed });
    } else {
      teacherModel = await loadModel(teacherDir, 'masked-lm');
      const step = teacherModel.numLayers / spec.layers;
      const layers = Array.from({ length: spec.layers }, (_, index) => Math.round((index + 1) * step) - 1);
      model = initStudentFromTeacher(teacherModel, config, { layers, seed: context.seed }).student;
      modifiers.push(createDistillationModifier({ teacher: teacherModel, config: distillationPreset('prune-ofa'), random: createRandom(context.seed + 1) }));
    }
    try {
      const { finalLoss } = await trainReproduceStage({
        name: 'dense pre-training', model, data: maskedLmData(context.texts, context.encoder), loss: maskedLmTrainingLoss, modifiers,
        steps: scale.steps.teacherPretrain, learningRate: scale.learningRate.pretrain, batchSize: scale.batchSize, seed: context.seed, dir, training: context.training,
      });
      await savePretrained(model, dir);
      return { finalLoss, distilledFrom: teacherDir ?? null };
    } finally {
      model.dispose();
      teacherModel?.dispose();
    }
  }, identity, context.say);
}

/**
 * Sparse pre-training (Prune OFA stage 1): a student initialised from the dense model (all
 * layers) trains with masked LM + KL to it (0.5/0.5, T = 2) while cubic gradual magnitude
 * pruning takes every encoder Linear weight to `sparsity` (0 → final over the first half of the
 * steps, masks recomputed up to 80%, then fixed). Saves the sparse model (zeros baked in) in `dir`.
 * Its identity: the sparsity, the steps, the learning rate and the dense model's identity.
 *
 * @example
 * ```ts
 * await sparsePretrain({ dir: 'work/bert-base/pretrained', identity: dense.identity }, 0.9, 'work/bert-base/sparse-90', context);
 * ```
 */
export async function sparsePretrain(dense: StageOutput, sparsity: number, dir: string, context: StageContext): Promise<StageRecord<TrainedRecord & { sparsity: number }>> {
  const { scale } = context;
  const identity = { stage: 'sparse-pretrain', sparsity, steps: scale.steps.sparsePretrain, learningRate: scale.learningRate.pretrain, dense: dense.identity };
  return onceIn(dir, async () => {
    const teacher = await loadModel(dense.dir, 'masked-lm');
    const { student } = initStudentFromTeacher(teacher, teacher.config, { layers: 'first', seed: context.seed });
    const steps = scale.steps.sparsePretrain;
    const endStep = Math.max(1, Math.floor(steps * 0.5));
    const pruning = createGradualPruningModifier({
      finalSparsity: sparsity, schedule: 'cubic', startStep: 0, endStep,
      frequency: Math.max(1, Math.floor(endStep / 10)), maskUpdateEndStep: Math.max(endStep, Math.floor(steps * 0.8)),
    });
    const distillation = createDistillationModifier({ teacher, config: distillationPreset('prune-ofa'), random: createRandom(context.seed + 1) });
    try {
      const { finalLoss } = await trainReproduceStage({
        name: 'sparse pre-training', model: student, data: maskedLmData(context.texts, context.encoder), loss: maskedLmTrainingLoss, modifiers: [distillation, pruning],
        steps, learningRate: scale.learningRate.pretrain, batchSize: scale.batchSize, seed: context.seed, dir, training: context.training,
      });
      await savePretrained(student, dir);
      return { finalLoss, sparsity };
    } finally {
      student.dispose();
      teacher.dispose();
    }
  }, identity, context.say);
}

/**
 * The steps of a task stage: the scale's count, or `epochs` over the training set at `full`.
 *
 * @example
 * ```ts
 * taskSteps(context, task, 'transfer'); // 120 at tiny
 * ```
 */
export function taskSteps(context: StageContext, task: RunTask, stage: 'teacherFinetune' | 'transfer' | 'qat'): number {
  const { scale } = context;
  const fixed = scale.steps[stage];
  if (fixed > 0) return fixed;
  const epochs = scale.epochs?.[stage] ?? 1;
  return Math.max(1, Math.ceil((epochs * task.train.length) / scale.batchSize));
}

/**
 * The task distillation of transfer: KL at T = 2 (classification) or logits MSE (regression),
 * 0.5 task loss + 0.5 distillation, from the fine-tuned dense teacher.
 */
function taskDistillation(teacher: EncoderModel, task: RunTask, seed: number): Modifier {
  const config = task.regression ? { temperature: 1, hardWeight: 0.5, softWeight: 0.5, softLoss: 'distill/logits-mse' } : distillationPreset('prune-ofa');
  return createDistillationModifier({ teacher, config, random: createRandom(seed) });
}

/**
 * Fine-tunes the dense pre-trained model on a task (the transfer teacher) and scores it (the
 * "dense" row); saved in `dir`. Its identity: the task's data, the steps, the learning rate and
 * the dense model's identity.
 *
 * @example
 * ```ts
 * const { value } = await finetuneDense({ dir: 'work/bert-base/pretrained', identity: dense.identity }, task, 'work/bert-base/spam/dense', context);
 * ```
 */
export async function finetuneDense(dense: StageOutput, task: RunTask, dir: string, context: StageContext): Promise<StageRecord<TrainedRecord & CellResult>> {
  const { scale } = context;
  const identity = {
    stage: 'finetune-dense', task: { name: task.name, data: task.identity },
    steps: taskSteps(context, task, 'teacherFinetune'), learningRate: scale.learningRate.finetune, dense: dense.identity,
  };
  return onceIn(dir, async () => {
    const model = await loadModel(dense.dir, 'sequence-classification', labelCountOf(task));
    try {
      const { finalLoss } = await trainReproduceStage({
        name: 'dense fine-tuning', model, data: taskData(task.train, context.encoder, labelling(task)), loss: classificationTrainingLoss,
        steps: taskSteps(context, task, 'teacherFinetune'), learningRate: scale.learningRate.finetune, batchSize: scale.batchSize, seed: context.seed, dir, training: context.training,
      });
      await savePretrained(model, dir);
      return { finalLoss, ...(await evaluateCell(model, task, context)) };
    } finally {
      model.dispose();
    }
  }, identity, context.say);
}

/**
 * Sparse transfer (Prune OFA stage 2): the sparse pre-trained encoder with a new task head,
 * pattern lock on every encoder Linear weight, and distillation from the fine-tuned dense
 * teacher. With `qat`, a further run from the transferred model adds quantization-aware training
 * (8-bit weights per channel, 8-bit inputs with EMA observers frozen after 75% of the steps;
 * pattern lock and distillation kept) and the model is scored with the fake quantization on.
 * Its identity: the QAT flag, the task's data, the steps, the learning rate, and the identities
 * of the sparse model it starts from (for QAT: the transferred one) and of the teacher.
 *
 * @example
 * ```ts
 * const transferred = await sparseTransfer({ sparse, teacher, task, dir: 'work/bert-base/spam/sparse-90', qat: false }, context);
 * await sparseTransfer({ sparse: { dir: 'work/bert-base/spam/sparse-90', identity: transferred.identity }, teacher, task, dir: 'work/bert-base/spam/sparse-90-qat', qat: true }, context);
 * ```
 */
export async function sparseTransfer(
  { sparse, teacher, task, dir, qat }: { sparse: StageOutput; teacher: StageOutput; task: RunTask; dir: string; qat: boolean },
  context: StageContext,
): Promise<StageRecord<TrainedRecord & CellResult>> {
  const { scale } = context;
  const steps = taskSteps(context, task, qat ? 'qat' : 'transfer');
  const learningRate = qat ? scale.learningRate.qat : scale.learningRate.finetune;
  const identity = { stage: 'sparse-transfer', qat, task: { name: task.name, data: task.identity }, steps, learningRate, sparse: sparse.identity, teacher: teacher.identity };
  return onceIn(dir, async () => {
    const numLabels = labelCountOf(task);
    const model = await loadModel(sparse.dir, 'sequence-classification', numLabels);
    const teacherModel = await loadModel(teacher.dir, 'sequence-classification', numLabels);
    const modifiers = [createPatternLockModifier({}), taskDistillation(teacherModel, task, context.seed + 2)];
    if (qat) modifiers.push(createQatModifier({ weights: { bits: 8, perChannel: true }, activations: { observer: 'ema', freezeAfterSteps: Math.floor(steps * 0.75) } }));
    try {
      const { finalLoss } = await trainReproduceStage({
        name: qat ? 'quantization-aware training' : 'sparse transfer', model, data: taskData(task.train, context.encoder, labelling(task)), loss: classificationTrainingLoss, modifiers,
        steps, learningRate, batchSize: scale.batchSize, seed: context.seed + (qat ? 1 : 0), dir, training: context.training,
      });
      if (!qat) await savePretrained(model, dir);
      return { finalLoss, ...(await evaluateCell(model, task, context)) };
    } finally {
      model.dispose();
      teacherModel.dispose();
    }
  }, identity, context.say);
}
