import { join } from 'node:path';
import { createRandom, type Modifier } from '@pofa/core';
import { createDistillationModifier } from '@pofa/distill';
import { createModel, initStudentFromTeacher, loadVocab, savePretrained, saveVocab, trainWordPieceVocab, type EncoderModel, type ModelConfig } from '@pofa/models';
import { loadMlmCorpus, type SpanRunTask, type RunTask } from '@pofa/tasks';
import { cachedArtifact, cacheKey } from '../run-folder';
import { loadModel, teacherConfig, type ModelSource } from './models';
import { PRUNE_OFA_RECIPE } from './prune-ofa-recipe';
import type { Scale } from './scales';
import { maskedLmData, maskedLmTrainingLoss, trainStage, type StageEnvironment } from './stage-training';
import type { TaskTraining, TrainingSettings } from './task-training';
import type { PreparedEncoder } from './text-encoder';

/** What the teacher stages share: the scale, the seed, the cache and a stage environment maker. */
export interface TeacherContext {
  scale: Scale;
  seed: number;
  cacheDir: string;
  environment(stage: string): StageEnvironment;
  note(text: string): void;
}

/**
 * The MLM pre-training texts: a seeded sample of the embedded corpus (State of the Union and
 * Moby Dick) of `count` segments.
 *
 * @example
 * ```ts
 * const texts = await corpusTexts(3000, 0);
 * ```
 */
export async function corpusTexts(count: number, seed: number): Promise<string[]> {
  const corpus = await loadMlmCorpus({ sources: ['sotu', 'moby-dick'], seed });
  const texts = corpus.train.filter((text) => text.trim() !== '');
  const random = createRandom(seed);
  for (let i = texts.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [texts[i], texts[j]] = [texts[j], texts[i]];
  }
  return texts.slice(0, count);
}

/**
 * The WordPiece vocabulary trained on the corpus texts, cached under a key of its settings.
 *
 * @example
 * ```ts
 * const { vocab, key, reused } = await cachedVocabulary(texts, context);
 * ```
 */
export async function cachedVocabulary(texts: readonly string[], context: TeacherContext): Promise<{ vocab: string[]; key: string; reused: boolean }> {
  const settings = { corpus: 'sotu+moby-dick', texts: texts.length, vocabSize: context.scale.vocabSize, seed: context.seed };
  const key = cacheKey('vocab', settings);
  const artifact = await cachedArtifact(context.cacheDir, key, {
    settings,
    create: (dir) => saveVocab(join(dir, 'vocab.txt'), trainWordPieceVocab(texts, { vocabSize: context.scale.vocabSize })),
    load: (dir) => loadVocab(join(dir, 'vocab.txt')),
  });
  return { vocab: artifact.value, key, reused: artifact.reused };
}

/**
 * Dense pre-training (the teacher-pretrain stage): a model of `config` trained with masked LM on
 * the corpus texts from scratch, or, given a `teacher` (the DistilBERT analogue), a student
 * initialised from evenly spaced layers of it (the last of each group: layers 1 and 3 of 4 for 2)
 * trained with masked LM + KL to it ({@link PRUNE_OFA_RECIPE}). Returns the trained model; the
 * caller saves it.
 *
 * @example
 * ```ts
 * const model = await pretrainDense(config, texts, encoder, { steps: 250, learningRate: 2e-3, batchSize: 16 }, environment);
 * ```
 */
export async function pretrainDense(
  config: ModelConfig,
  texts: readonly string[],
  encoder: PreparedEncoder,
  settings: TrainingSettings,
  environment: StageEnvironment,
  teacher?: EncoderModel,
): Promise<EncoderModel> {
  const modifiers: Modifier[] = [];
  let model: EncoderModel;
  if (teacher === undefined) {
    model = createModel(config, { task: 'masked-lm', seed: environment.seed });
  } else {
    const count = 'num_hidden_layers' in config ? config.num_hidden_layers : config.n_layers;
    const step = teacher.numLayers / count;
    const layers = Array.from({ length: count }, (_, index) => Math.round((index + 1) * step) - 1);
    model = initStudentFromTeacher(teacher, config, { layers, seed: environment.seed }).student;
    modifiers.push(createDistillationModifier({ teacher, config: PRUNE_OFA_RECIPE.distillation, random: createRandom(environment.seed + 1) }));
  }
  try {
    await trainStage({
      name: teacher === undefined ? 'dense pre-training' : 'dense pre-training (distilled)', model, data: maskedLmData(texts, encoder), loss: maskedLmTrainingLoss,
      ...settings, modifiers, environment,
    });
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}

/**
 * Dense fine-tuning (the teacher-finetune stage): the pre-trained model in `pretrainedDir` with
 * the task's head, trained on the task by `training`. Returns the model; the caller saves it.
 *
 * @example
 * ```ts
 * const model = await finetuneDense(teacherDir, classificationTraining(task, encoder), { steps: 150, learningRate: 2e-3, batchSize: 16 }, environment);
 * ```
 */
export async function finetuneDense(pretrainedDir: string, training: TaskTraining, settings: TrainingSettings, environment: StageEnvironment): Promise<EncoderModel> {
  const model = await loadModel(pretrainedDir, training.head, training.numLabels);
  try {
    await trainStage({ name: 'teacher fine-tuning', model, data: training.data, loss: training.loss, ...settings, environment });
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}

/**
 * The dense teacher pre-trained with masked LM on the corpus texts (from scratch, in the scale's
 * shape or a preset's), cached under a key of everything that determines it; its Trainer
 * checkpoints live in the run folder, so an interrupted pre-training resumes.
 *
 * @example
 * ```ts
 * const { model, dir, reused } = await cachedPretrainedTeacher(texts, encoder, vocabKey, { kind: 'scale' }, context);
 * ```
 */
export async function cachedPretrainedTeacher(
  texts: readonly string[],
  encoder: PreparedEncoder,
  vocabKey: string,
  source: ModelSource,
  context: TeacherContext,
): Promise<{ model: EncoderModel; dir: string; key: string; reused: boolean }> {
  const { scale, seed } = context;
  const config = teacherConfig(source, scale, encoder.tokenizer.vocabSize);
  const settings = {
    vocab: vocabKey, config, texts: texts.length, steps: scale.steps.teacherPretrain,
    learningRate: scale.learningRate.pretrain, batchSize: scale.batchSize, maxLength: scale.maxLength, seed,
  };
  const key = cacheKey('teacher', settings);
  const artifact = await cachedArtifact(context.cacheDir, key, {
    settings,
    async create(dir) {
      const model = await pretrainDense(config, texts, encoder,
        { steps: scale.steps.teacherPretrain, learningRate: scale.learningRate.pretrain, batchSize: scale.batchSize }, context.environment('teacher-pretrain'));
      try {
        await savePretrained(model, dir);
        await saveVocab(join(dir, 'vocab.txt'), encoder.tokenizer.getVocab());
      } finally {
        model.dispose();
      }
    },
    load: (dir) => loadModel(dir, 'masked-lm'),
  });
  return { model: artifact.value, dir: artifact.dir, key, reused: artifact.reused };
}

/** The number of outputs of a task's head: 1 for regression, else the class count. */
export function labelCountOf(task: RunTask): number {
  return task.regression ? 1 : task.labels.length;
}

/**
 * The dense teacher fine-tuned on the task (the "dense" row of the table) with the head and the
 * batches of `training` (a classification head, or a span QA head on SQuAD windows), cached under
 * a key of the pre-trained teacher, the task data and kind, the windows and the fine-tuning
 * settings.
 *
 * @example
 * ```ts
 * const { model } = await cachedFinetunedTeacher(teacherDir, teacherKey, task, classificationTraining(task, encoder), context);
 * ```
 */
export async function cachedFinetunedTeacher(
  teacherDir: string,
  teacherKey: string,
  task: RunTask | SpanRunTask,
  training: TaskTraining,
  context: TeacherContext,
): Promise<{ model: EncoderModel; dir: string; reused: boolean }> {
  const { scale, seed } = context;
  const settings = {
    teacher: teacherKey, task: task.identity, kind: task.kind, windows: training.windows, sizes: [task.train.length, task.validation.length, task.test.length],
    steps: scale.steps.teacherFinetune, learningRate: scale.learningRate.finetune, batchSize: scale.batchSize, seed,
  };
  const artifact = await cachedArtifact(context.cacheDir, cacheKey('finetuned', settings), {
    settings,
    async create(dir) {
      const model = await finetuneDense(teacherDir, training,
        { steps: scale.steps.teacherFinetune, learningRate: scale.learningRate.finetune, batchSize: scale.batchSize }, context.environment('teacher-finetune'));
      try {
        await savePretrained(model, dir);
      } finally {
        model.dispose();
      }
    },
    load: (dir) => loadModel(dir, training.head, training.numLabels),
  });
  return { model: artifact.value, dir: artifact.dir, reused: artifact.reused };
}

/**
 * The batcher's labelling options for a task: class names, or regression with the label scale.
 *
 * @example
 * ```ts
 * taskData(task.train, encoder, labelling(task));
 * ```
 */
export function labelling(task: RunTask): { labels?: string[]; regression?: boolean; labelScale?: { mean: number; std: number } } {
  return task.regression ? { regression: true, ...(task.labelScale === undefined ? {} : { labelScale: task.labelScale }) } : { labels: task.labels };
}
