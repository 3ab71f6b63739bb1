import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createRandom, writeFileAtomic, type Modifier } from '@pofa/core';
import { createDistillationModifier } from '@pofa/distill';
import { createModel, initStudentFromTeacher, loadVocab, savePretrained, saveVocab, trainWordPieceVocab, type EncoderModel, type ModelConfig } from '@pofa/models';
import type { SpanRunTask, RunTask } from '@pofa/tasks';
import { cachedArtifact, cacheKey } from '../run-folder';
import { loadModel, teacherConfig, type ModelSource } from './models';
import { keptStep, type BestValidation, type KeepBest, type KeptStep } from './keep-best';
import type { PretrainCorpus } from './pretrain-corpus';
import { PRUNE_OFA_RECIPE } from './prune-ofa-recipe';
import type { Scale } from './scales';
import { maskedLmData, maskedLmTrainingLoss, trainStage, type StageEnvironment } from './stage-training';
import type { TaskTraining, TrainingSettings } from './task-training';
import type { PreparedEncoder } from './text-encoder';

export { corpusTexts } from './pretrain-corpus';

/** What the teacher stages share: the scale, the seed, the cache and a stage environment maker. */
export interface TeacherContext {
  scale: Scale;
  seed: number;
  cacheDir: string;
  environment(stage: string): StageEnvironment;
  note(text: string): void;
}

/**
 * The WordPiece vocabulary trained on the pre-training corpus (with a task's training texts when
 * it adapts to the task's domain), cached under a key of its settings and the corpus identity.
 *
 * @example
 * ```ts
 * const { vocab, key, reused } = await cachedVocabulary(pretrainCorpus(await corpusTexts(3000, 0), { seed: 0 }), context);
 * ```
 */
export async function cachedVocabulary(corpus: PretrainCorpus, context: TeacherContext): Promise<{ vocab: string[]; key: string; reused: boolean }> {
  const { texts } = corpus;
  const { domain } = corpus.identity;
  const settings = { corpus: corpus.identity.corpus, texts: corpus.identity.texts, vocabSize: context.scale.vocabSize, seed: context.seed, ...(domain === undefined ? {} : { domain }) };
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
  return (await finetuneTeacher(pretrainedDir, training, settings, environment)).model;
}

/**
 * {@link finetuneDense}, keeping with `keepBest` the weights of the step that scored best on the
 * validation split (early stopping by selection, as sparse transfer does): that model is returned
 * with `best`, and the stage folder keeps no copy of it.
 *
 * @example
 * ```ts
 * const { model, best } = await finetuneTeacher(teacherDir, training, { steps: 600, learningRate: 2e-3, batchSize: 16 }, environment, { ...validation, every: 60 });
 * ```
 */
export async function finetuneTeacher(
  pretrainedDir: string,
  training: TaskTraining,
  settings: TrainingSettings,
  environment: StageEnvironment,
  keepBest?: KeepBest,
): Promise<{ model: EncoderModel; best?: BestValidation }> {
  const model = await loadModel(pretrainedDir, training.head, training.numLabels);
  let best: BestValidation | undefined;
  try {
    ({ best } = await trainStage({ name: 'teacher fine-tuning', model, data: training.data, loss: training.loss, ...settings, environment, ...(keepBest === undefined ? {} : { keepBest }) }));
  } catch (error) {
    model.dispose();
    throw error;
  }
  if (best === undefined) return { model };
  const folder = join(environment.dir, best.folder);
  if (best.step === settings.steps) {
    await rm(folder, { recursive: true, force: true });
    return { model, best };
  }
  // An earlier step scored best on validation: its weights are the teacher.
  model.dispose();
  const kept = await loadModel(folder, training.head, training.numLabels);
  await rm(folder, { recursive: true, force: true });
  return { model: kept, best };
}

/**
 * The dense teacher pre-trained with masked LM on the corpus texts (from scratch, in the scale's
 * shape or a preset's), cached under a key of everything that determines it; its Trainer
 * checkpoints live in the run folder, so an interrupted pre-training resumes.
 *
 * @example
 * ```ts
 * const { model, dir, reused } = await cachedPretrainedTeacher(corpus, encoder, vocabKey, { kind: 'scale' }, context);
 * ```
 */
export async function cachedPretrainedTeacher(
  corpus: PretrainCorpus,
  encoder: PreparedEncoder,
  vocabKey: string,
  source: ModelSource,
  context: TeacherContext,
): Promise<{ model: EncoderModel; dir: string; key: string; reused: boolean }> {
  const { scale, seed } = context;
  const { texts } = corpus;
  const { domain } = corpus.identity;
  const config = teacherConfig(source, scale, encoder.tokenizer.vocabSize);
  const settings = {
    vocab: vocabKey, config, texts: corpus.identity.texts, steps: scale.steps.teacherPretrain,
    learningRate: scale.learningRate.pretrain, batchSize: scale.batchSize, maxLength: scale.maxLength, seed, ...(domain === undefined ? {} : { domain }),
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
 * batches of `training` (a classification head, or a span QA head on SQuAD windows), for
 * `settings` (the caller turns the scale's epochs into steps), keeping with `keepBest` the step
 * that scored best on the validation split. Cached under a key of the pre-trained teacher, the
 * task data and kind, the windows, the fine-tuning settings and the validation interval; the kept
 * step is recorded beside the weights (`kept.json`), so a reused teacher still says which it is.
 *
 * @example
 * ```ts
 * const { model, kept } = await cachedFinetunedTeacher(teacherDir, teacherKey, task, training, { steps: 600, learningRate: 2e-3, batchSize: 16 }, context, keepBest);
 * ```
 */
export async function cachedFinetunedTeacher(
  teacherDir: string,
  teacherKey: string,
  task: RunTask | SpanRunTask,
  training: TaskTraining,
  trainingSettings: TrainingSettings,
  context: TeacherContext,
  keepBest?: KeepBest,
): Promise<{ model: EncoderModel; dir: string; reused: boolean; kept: KeptStep | null }> {
  const { seed } = context;
  const { steps, learningRate, batchSize } = trainingSettings;
  const settings = {
    teacher: teacherKey, task: task.identity, kind: task.kind, windows: training.windows, sizes: [task.train.length, task.validation.length, task.test.length],
    steps, learningRate, batchSize, seed, ...(keepBest === undefined ? {} : { keepBest: keepBest.every }),
  };
  const artifact = await cachedArtifact(context.cacheDir, cacheKey('finetuned', settings), {
    settings,
    async create(dir) {
      const { model, best } = await finetuneTeacher(teacherDir, training, { steps, learningRate, batchSize }, context.environment('teacher-finetune'), keepBest);
      try {
        await savePretrained(model, dir);
        await writeFileAtomic(join(dir, KEPT_FILE), `${JSON.stringify(keptStep(best, steps))}\n`);
      } finally {
        model.dispose();
      }
    },
    load: async (dir) => ({ model: await loadModel(dir, training.head, training.numLabels), kept: await readKept(dir) }),
  });
  return { model: artifact.value.model, kept: artifact.value.kept, dir: artifact.dir, reused: artifact.reused };
}

const KEPT_FILE = 'kept.json';

async function readKept(dir: string): Promise<KeptStep | null> {
  try {
    return JSON.parse(await readFile(join(dir, KEPT_FILE), 'utf8')) as KeptStep | null;
  } catch {
    return null;
  }
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
