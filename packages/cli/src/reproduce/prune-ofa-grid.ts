import { ConfigError } from '@pofa/core';
import { trainWordPieceVocab } from '@pofa/models';
import type { RunTask } from '@pofa/tasks';
import type { StageIo } from '../pipeline/stage-training';
import { corpusTexts } from '../pipeline/teacher';
import { prepareEncoder } from '../pipeline/text-encoder';
import type { Say } from '../run-folder';
import { loadEmbeddedTask, taskTexts } from './data';
import { describeTeacher, findGlueTasks, prepareFullScale } from './full-scale';
import type { PreparedGrid } from './prune-ofa-plan';
import { FULL_SCALE, SCALES, type StageSizes } from '../pipeline/scales';
import type { StageContext } from './prune-ofa-stages';

/**
 * What every stage of a Prune OFA run is made from besides its own settings: the scale, the seed
 * and, at `full`, the checkpoints and data files. Plain JSON: a queued stage carries it, and a
 * worker rebuilds the run's corpus, vocabulary and tasks from it ({@link preparePruneOfaGrid}),
 * the same as the in-process run.
 */
export interface PruneOfaGridSettings {
  scale: 'smoke' | 'tiny' | 'mini' | 'full';
  seed: number;
  teacher?: string | string[];
  glue?: string;
  squad?: string;
  corpus?: string;
}

/** A model row of the table: the report's fields, and the `--teacher` checkpoint it starts from at `full`. */
export interface GridModel {
  name: string;
  paper: string;
  layers: number;
  hidden: number;
  heads?: number;
  distilledFrom?: string;
  pretrainedDir?: string;
}

/**
 * The shape of a run without its data: the stage sizes, the model rows and the task names, as
 * {@link planPruneOfa} needs them. At `full`, reads the `--teacher` configs and lists the GLUE
 * folders (checked as {@link prepareFullScale} checks them), and loads nothing else.
 *
 * @example
 * ```ts
 * (await describePruneOfaGrid({ scale: 'tiny', seed: 0 })).tasks; // ['spam']
 * ```
 */
export async function describePruneOfaGrid(settings: PruneOfaGridSettings): Promise<{ scale: StageSizes; models: GridModel[]; tasks: string[] }> {
  if (settings.scale !== 'full') {
    const scale = SCALES[settings.scale];
    return { scale, models: scale.models.map((spec) => ({ ...spec })), tasks: [...scale.tasks] };
  }
  if (settings.teacher === undefined) throw new ConfigError('--scale full needs --teacher HF_DIR', { expected: 'a Hugging Face BERT or DistilBERT directory' });
  const models: GridModel[] = [];
  for (const dir of [settings.teacher].flat()) models.push(await describeTeacher(dir));
  const tasks = settings.glue === undefined ? [] : (await findGlueTasks(settings.glue)).map(([name]) => name as string);
  if (tasks.length === 0) throw new ConfigError('No task to run at --scale full', { expected: 'a --glue folder with MNLI, QQP, QNLI or SST-2', received: 'only --squad' });
  return { scale: FULL_SCALE, models, tasks };
}

/**
 * The stage I/O of a run: its progress bars, its stop signal and the scale's checkpoint spacing.
 *
 * @example
 * ```ts
 * trainingOf({ progress: false, signal: controller.signal }, 50); // { progress: false, checkpointEvery: 50, signal }
 * ```
 */
export function trainingOf(settings: { progress: StageIo['progress']; signal?: AbortSignal }, checkpointEvery: number): StageIo {
  return { progress: settings.progress, checkpointEvery, ...(settings.signal === undefined ? {} : { signal: settings.signal }) };
}

/**
 * Everything the stages of a run share, built from its settings alone, so that a worker on
 * another machine builds the same as the in-process run: the corpus, the tasks (seeded samples),
 * the vocabulary and the encoder at the embedded scales; each `--teacher`'s vocabulary at `full`.
 * `say` hears one line about the data.
 *
 * @example
 * ```ts
 * const prepared = await preparePruneOfaGrid({ scale: 'smoke', seed: 0 }, console.error, { progress: false, checkpointEvery: 3 });
 * ```
 */
export async function preparePruneOfaGrid(settings: PruneOfaGridSettings, say: Say, training: StageIo): Promise<PreparedGrid & { scale: StageSizes }> {
  if (settings.scale === 'full') {
    const { teacher } = settings;
    if (teacher === undefined) throw new ConfigError('--scale full needs --teacher HF_DIR', { expected: 'a Hugging Face BERT or DistilBERT directory' });
    return prepareFullScale({ ...settings, teacher }, say, training);
  }
  const scale = SCALES[settings.scale];
  const texts = await corpusTexts(scale.corpusTexts, settings.seed);
  const tasks: RunTask[] = [];
  for (const name of scale.tasks) tasks.push(await loadEmbeddedTask(name, scale.taskExamples, settings.seed));
  say(`data: ${texts.length} corpus texts, tasks ${tasks.map((task) => `${task.name} (${task.train.length}/${task.test.length})`).join(', ')}`);
  const vocab = trainWordPieceVocab(texts, { vocabSize: scale.vocabSize });
  const encoder = await prepareEncoder(vocab, [...texts.map((text) => ({ text })), ...tasks.flatMap(taskTexts)], scale.maxLength);
  const context: StageContext = { scale, seed: settings.seed, texts, encoder, training, say };
  return { scale, tasks, models: scale.models.map((spec) => ({ ...spec, context })) };
}
