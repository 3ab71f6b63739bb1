import { access, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { ConfigError } from '@pofa/core';
import { loadVocab } from '@pofa/models';
import type { GlueTaskName, RunTask } from '@pofa/tasks';
import { corpusTexts } from '../pipeline/teacher';
import { prepareEncoder } from '../pipeline/text-encoder';
import { loadGlueRunTask, taskTexts } from './data';
import type { StageContext } from './prune-ofa-stages';
import { FULL_SCALE, type PaperModelName } from '../pipeline/scales';
import type { StageIo } from '../pipeline/stage-training';
import type { Say } from '../run-folder';

/**
 * The GLUE columns of the paper and their folder names in a `download_glue_data.py` tree.
 *
 * @example
 * ```ts
 * GLUE_FOLDERS.sst2; // 'SST-2'
 * ```
 */
export const GLUE_FOLDERS: Readonly<Record<'mnli' | 'qqp' | 'qnli' | 'sst2', string>> = { mnli: 'MNLI', qqp: 'QQP', qnli: 'QNLI', sst2: 'SST-2' };

/** A `--teacher` checkpoint: the row it fills and its shape. */
export interface TeacherSpec {
  name: PaperModelName;
  paper: 'BERT-Base' | 'BERT-Large' | 'DistilBERT';
  layers: number;
  hidden: number;
  pretrainedDir: string;
}

const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);

/**
 * The row of a Hugging Face checkpoint: `distilbert` for DistilBERT, `bert-large` for a
 * 24-layer BERT, else `bert-base` (the paper's three models), read from its `config.json`. A
 * folder without `config.json`, `vocab.txt` or safetensors weights is a `ConfigError`.
 *
 * @example
 * ```ts
 * await describeTeacher('checkpoints/bert-base-uncased'); // { name: 'bert-base', paper: 'BERT-Base', layers: 12, hidden: 768, ... }
 * ```
 */
export async function describeTeacher(dir: string): Promise<TeacherSpec> {
  const expected = 'a Hugging Face directory with config.json, model.safetensors and vocab.txt';
  const hint = 'Convert pytorch_model.bin to model.safetensors first (save_pretrained(..., safe_serialization=True))';
  if ((await stat(dir).catch(() => undefined))?.isDirectory() !== true) throw new ConfigError(`Cannot use --teacher ${dir}`, { expected, received: 'no such directory', hint: 'Check the path' });
  const missing: string[] = [];
  for (const file of ['config.json', 'vocab.txt']) if (!(await exists(join(dir, file)))) missing.push(file);
  if (!(await exists(join(dir, 'model.safetensors'))) && !(await exists(join(dir, 'model.safetensors.index.json')))) missing.push('model.safetensors');
  if (missing.length > 0) throw new ConfigError(`Cannot use --teacher ${dir}`, { expected, received: `a folder without ${missing.join(' and ')}`, hint });
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`Cannot read ${join(dir, 'config.json')}`, { expected: 'a JSON object', received: error instanceof Error ? error.message : String(error) });
  }
  const distil = config.model_type === 'distilbert';
  const layers = Number(distil ? config.n_layers : config.num_hidden_layers);
  const hidden = Number(distil ? config.dim : config.hidden_size);
  const name: PaperModelName = distil ? 'distilbert' : layers >= 24 ? 'bert-large' : 'bert-base';
  const paper = ({ distilbert: 'DistilBERT', 'bert-large': 'BERT-Large', 'bert-base': 'BERT-Base' } as const)[name];
  return { name, paper, layers, hidden, pretrainedDir: resolve(dir) };
}

/**
 * The GLUE tasks found under `--glue DIR` (`MNLI/`, `QQP/`, `QNLI/`, `SST-2/`, the paper's GLUE
 * columns); a folder with none of them is a `ConfigError`.
 *
 * @example
 * ```ts
 * await findGlueTasks('glue_data'); // [['mnli', 'glue_data/MNLI'], ['sst2', 'glue_data/SST-2']]
 * ```
 */
export async function findGlueTasks(dir: string): Promise<Array<[GlueTaskName, string]>> {
  const found: Array<[GlueTaskName, string]> = [];
  for (const [task, folder] of Object.entries(GLUE_FOLDERS)) if (await exists(join(dir, folder, 'train.tsv'))) found.push([task as GlueTaskName, join(dir, folder)]);
  if (found.length === 0) {
    throw new ConfigError(`No GLUE task under --glue ${dir}`, {
      expected: `one or more of ${Object.values(GLUE_FOLDERS).map((folder) => `${folder}/train.tsv`).join(', ')}`,
      received: 'none of them',
      hint: 'Point --glue at the folder download_glue_data.py wrote (glue_data)',
    });
  }
  return found;
}

/**
 * The texts of sparse pre-training: `--corpus FILE` (one passage per non-empty line; the paper
 * used English Wikipedia) or, without it, the embedded corpus.
 */
async function pretrainingTexts(corpus: string | undefined, seed: number): Promise<string[]> {
  if (corpus === undefined) return corpusTexts(FULL_SCALE.corpusTexts, seed);
  if (!(await exists(corpus))) throw new ConfigError(`Cannot read --corpus ${corpus}`, { expected: 'a text file, one passage per line', received: 'no such file' });
  return (await readFile(corpus, 'utf8')).split('\n').filter((line) => line.trim() !== '');
}

/** The settings of the `full` scale, as the command line gives them. */
export interface FullScaleSettings {
  teacher: string | string[];
  glue?: string;
  squad?: string;
  corpus?: string;
  seed: number;
}

/**
 * Prepares the `full` scale: the models of `--teacher` (each with its own vocabulary), the GLUE
 * tasks of `--glue`, and the pre-training texts. `--squad` is checked but its column is skipped
 * (span question answering transfer is not written yet) and `say` is told so.
 *
 * @example
 * ```ts
 * const { scale, tasks, models } = await prepareFullScale({ teacher: 'bert-base-uncased', glue: 'glue_data', seed: 0 }, console.error, training);
 * ```
 */
export async function prepareFullScale(
  settings: FullScaleSettings,
  say: Say,
  training: StageIo = { progress: false, checkpointEvery: FULL_SCALE.checkpointEvery },
): Promise<{ scale: typeof FULL_SCALE; tasks: RunTask[]; models: Array<TeacherSpec & { context: StageContext }> }> {
  const specs: TeacherSpec[] = [];
  for (const dir of [settings.teacher].flat()) specs.push(await describeTeacher(dir));
  const tasks: RunTask[] = [];
  if (settings.glue !== undefined) {
    for (const [task, dir] of await findGlueTasks(settings.glue)) tasks.push(await loadGlueRunTask(task, dir, FULL_SCALE.taskExamples, settings.seed));
  }
  if (settings.squad !== undefined) {
    if (!(await exists(settings.squad))) throw new ConfigError(`Cannot read --squad ${settings.squad}`, { expected: 'SQuAD v1.1 train-v1.1.json', received: 'no such file' });
    say(`squad: ${basename(settings.squad)} found, but span question answering transfer is not implemented in this benchmark yet; the SQuAD column is skipped`);
  }
  if (tasks.length === 0) throw new ConfigError('No task to run at --scale full', { expected: 'a --glue folder with MNLI, QQP, QNLI or SST-2', received: 'only --squad' });
  const texts = await pretrainingTexts(settings.corpus, settings.seed);
  const models: Array<TeacherSpec & { context: StageContext }> = [];
  for (const spec of specs) {
    const encoder = await prepareEncoder(await loadVocab(join(spec.pretrainedDir, 'vocab.txt')), [...texts.map((text) => ({ text })), ...tasks.flatMap(taskTexts)], FULL_SCALE.maxLength);
    models.push({ ...spec, context: { scale: FULL_SCALE, seed: settings.seed, texts, encoder, training, say } });
  }
  return { scale: FULL_SCALE, tasks, models };
}
