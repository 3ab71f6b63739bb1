import { join } from 'node:path';
import { presetConfig, savePretrained, type ModelConfig } from '@pofa/models';
import type { RunTask } from '@pofa/tasks';
import { loadModel } from '../pipeline/models';
import { PRUNE_OFA_RECIPE, defaultPruningModifiers } from '../pipeline/prune-ofa-recipe';
import { quantizationAwareTraining } from '../pipeline/quantize';
import { sparsePretrain as sparsePretrainStage, sparseTransfer as sparseTransferStage } from '../pipeline/sparse';
import type { StageEnvironment, StageIo } from '../pipeline/stage-training';
import { classificationTraining } from '../pipeline/task-training';
import { finetuneDense as finetuneDenseStage, pretrainDense as pretrainDenseStage } from '../pipeline/teacher';
import type { PreparedEncoder } from '../pipeline/text-encoder';
import { onceIn, type Say, type StageOutput, type StageRecord } from '../run-folder';
import { evaluateCell, type CellResult } from './evaluation';
import { taskStageSteps, type StageSizes } from '../pipeline/scales';

/**
 * The cells of `pofa reproduce`'s Prune OFA table are made by the pipeline's stage functions (the
 * ones `pofa compress` runs, see `PRUNE_OFA_STAGES`); this file only says, for each, what its
 * identity is (so a finished cell is reused and a changed setting reruns it and what follows), and
 * where in the work folder it goes: `<dir>/model` holds each stage's model.
 */

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
  training: StageIo;
  say?: Say;
}

/** The environment of a stage trained in `dir`: resumable, with the run's progress, signal and checkpoint spacing. */
function environmentOf(dir: string, context: StageContext, seed = context.seed): StageEnvironment {
  return { dir, resume: true, seed, ...context.training };
}

/** The stage's model folder: a stage folder holds its model in `model/` beside `done.json` and `identity.json`. */
export function stageModel(dir: string, record: { identity: string }): StageOutput {
  return { dir: join(dir, 'model'), identity: record.identity };
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
): Promise<StageRecord<{ distilledFrom: string | null }>> {
  const { scale } = context;
  const identity = {
    stage: 'pretrain-dense', shape: { layers: spec.layers, hidden: spec.hidden, heads: spec.heads },
    steps: scale.steps.teacherPretrain, learningRate: scale.learningRate.pretrain, teacher: teacher?.identity ?? null,
  };
  return onceIn(dir, async () => {
    const teacherModel = teacher === undefined ? undefined : await loadModel(teacher.dir, 'masked-lm');
    try {
      const model = await pretrainDenseStage(modelConfig(spec, context), context.texts, context.encoder,
        { steps: scale.steps.teacherPretrain, learningRate: scale.learningRate.pretrain, batchSize: scale.batchSize }, environmentOf(dir, context), teacherModel);
      await savePretrained(model, join(dir, 'model'));
      model.dispose();
      return { distilledFrom: teacher?.dir ?? null };
    } finally {
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
export async function sparsePretrain(dense: StageOutput, sparsity: number, dir: string, context: StageContext): Promise<StageRecord<{ sparsity: number }>> {
  const { scale } = context;
  const identity = { stage: 'sparse-pretrain', sparsity, steps: scale.steps.sparsePretrain, learningRate: scale.learningRate.pretrain, dense: dense.identity };
  return onceIn(dir, async () => {
    const teacher = await loadModel(dense.dir, 'masked-lm');
    try {
      const steps = scale.steps.sparsePretrain;
      const student = await sparsePretrainStage(teacher, context.texts, context.encoder, defaultPruningModifiers(steps, sparsity, 'unstructured'),
        { steps, learningRate: scale.learningRate.pretrain, batchSize: scale.batchSize }, environmentOf(dir, context));
      student.dispose();
      return { sparsity };
    } finally {
      teacher.dispose();
    }
  }, identity, context.say);
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
export async function finetuneDense(dense: StageOutput, task: RunTask, dir: string, context: StageContext): Promise<StageRecord<CellResult>> {
  const { scale } = context;
  const steps = taskStageSteps(scale, 'teacherFinetune', task.train.length);
  const identity = { stage: 'finetune-dense', task: { name: task.name, data: task.identity }, steps, learningRate: scale.learningRate.finetune, dense: dense.identity };
  return onceIn(dir, async () => {
    const model = await finetuneDenseStage(dense.dir, classificationTraining(task, context.encoder),
      { steps, learningRate: scale.learningRate.finetune, batchSize: scale.batchSize }, environmentOf(dir, context));
    try {
      await savePretrained(model, join(dir, 'model'));
      return await evaluateCell(model, task, context);
    } finally {
      model.dispose();
    }
  }, identity, context.say);
}

/**
 * Sparse transfer (Prune OFA stage 2): the pipeline's `sparseTransfer` (pattern lock, task
 * distillation from the fine-tuned dense teacher) from the sparse pre-trained model. With `qat`,
 * the pipeline's `quantizationAwareTraining` from the transferred model instead ({@link
 * PRUNE_OFA_RECIPE}: int8 weights per tensor, uint8 inputs with EMA observers frozen after 75% of
 * the steps; pattern lock and distillation kept), scored with the fake quantization on. Its
 * identity: the QAT flag and scheme, the task's data, the steps, the learning rate, and the
 * identities of the model it starts from and of the teacher.
 *
 * @example
 * ```ts
 * const transferred = await sparseTransfer({ sparse, teacher, task, dir: 'work/bert-base/spam/sparse-90', qat: false }, context);
 * await sparseTransfer({ sparse: stageModel('work/bert-base/spam/sparse-90', transferred), teacher, task, dir: 'work/bert-base/spam/sparse-90-qat', qat: true }, context);
 * ```
 */
export async function sparseTransfer(
  { sparse, teacher, task, dir, qat }: { sparse: StageOutput; teacher: StageOutput; task: RunTask; dir: string; qat: boolean },
  context: StageContext,
): Promise<StageRecord<CellResult>> {
  const { scale } = context;
  const steps = taskStageSteps(scale, qat ? 'quantize' : 'transfer', task.train.length);
  const learningRate = qat ? scale.learningRate.quantize : scale.learningRate.finetune;
  const scheme = { perChannel: PRUNE_OFA_RECIPE.qat.perChannel };
  const identity = {
    stage: 'sparse-transfer', qat, ...(qat ? { scheme } : {}), task: { name: task.name, data: task.identity }, steps, learningRate, sparse: sparse.identity, teacher: teacher.identity,
  };
  return onceIn(dir, async () => {
    const training = classificationTraining(task, context.encoder);
    const teacherModel = await loadModel(teacher.dir, training.head, training.numLabels);
    const distillation = { model: teacherModel, config: PRUNE_OFA_RECIPE.distillation };
    const settings = { steps, learningRate, batchSize: scale.batchSize };
    try {
      const model = qat
        ? (await quantizationAwareTraining(sparse.dir, distillation, training, { ...settings, freezeObserversAt: PRUNE_OFA_RECIPE.qat.freezeObserversAt }, environmentOf(dir, context), scheme)).model
        : (await sparseTransferStage(sparse.dir, distillation, training, settings, environmentOf(dir, context))).model;
      try {
        return await evaluateCell(model, task, context);
      } finally {
        model.dispose();
      }
    } finally {
      teacherModel.dispose();
    }
  }, identity, context.say);
}
