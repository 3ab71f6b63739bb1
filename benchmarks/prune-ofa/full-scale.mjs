// The `full` scale: Hugging Face checkpoints and GLUE / SQuAD folders given by path.
import { access, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { ConfigError } from '@pofa/core';
import { loadVocab } from '@pofa/models';
import { corpusTexts, loadGlueRunTask, taskTexts } from '../shared/data.mjs';
import { prepareEncoder } from '../shared/text-encoder.mjs';
import { FULL_SCALE } from './scales.mjs';

/** The GLUE columns of the paper and their folder names in a `download_glue_data.py` tree. */
export const GLUE_FOLDERS = { mnli: 'MNLI', qqp: 'QQP', qnli: 'QNLI', sst2: 'SST-2' };

async function exists(path) {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The row of a Hugging Face checkpoint: `distilbert` for DistilBERT, `bert-large` for a
 * 24-layer BERT, else `bert-base` (the paper's three models), read from its `config.json`.
 *
 * @example
 * ```js
 * await describeTeacher('checkpoints/bert-base-uncased'); // { name: 'bert-base', paper: 'BERT-Base', layers: 12, hidden: 768, ... }
 * ```
 */
export async function describeTeacher(dir) {
  const missing = [];
  for (const file of ['config.json', 'vocab.txt']) if (!(await exists(join(dir, file)))) missing.push(file);
  if (missing.length > 0) {
    throw new ConfigError(`Cannot use --teacher ${dir}`, {
      expected: 'a Hugging Face directory with config.json, model.safetensors and vocab.txt',
      received: `a folder without ${missing.join(' and ')}`,
      hint: 'Convert pytorch_model.bin to model.safetensors first (save_pretrained(..., safe_serialization=True))',
    });
  }
  const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
  const distil = config.model_type === 'distilbert';
  const layers = distil ? config.n_layers : config.num_hidden_layers;
  const hidden = distil ? config.dim : config.hidden_size;
  const name = distil ? 'distilbert' : layers >= 24 ? 'bert-large' : 'bert-base';
  return { name, paper: { distilbert: 'DistilBERT', 'bert-large': 'BERT-Large', 'bert-base': 'BERT-Base' }[name], layers, hidden, pretrainedDir: resolve(dir) };
}

/**
 * The GLUE tasks found under `--glue DIR` (`MNLI/`, `QQP/`, `QNLI/`, `SST-2/`, the paper's GLUE
 * columns); a folder with none of them is a `ConfigError`.
 *
 * @example
 * ```js
 * await findGlueTasks('glue_data'); // [['mnli', 'glue_data/MNLI'], ['sst2', 'glue_data/SST-2']]
 * ```
 */
export async function findGlueTasks(dir) {
  const found = [];
  for (const [task, folder] of Object.entries(GLUE_FOLDERS)) if (await exists(join(dir, folder, 'train.tsv'))) found.push([task, join(dir, folder)]);
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
async function pretrainingTexts(corpus, seed) {
  if (corpus === undefined) return corpusTexts(FULL_SCALE.corpusTexts, seed);
  if (!(await exists(corpus))) throw new ConfigError(`Cannot read --corpus ${corpus}`, { expected: 'a text file, one passage per line', received: 'no such file' });
  return (await readFile(corpus, 'utf8')).split('\n').filter((line) => line.trim() !== '');
}

/**
 * Prepares the `full` scale: the models of `--teacher` (each with its own vocabulary), the GLUE
 * tasks of `--glue`, and the pre-training texts. `--squad` is checked but its column is skipped
 * (span question answering transfer is not written yet) and a note says so.
 *
 * @example
 * ```js
 * const { scale, tasks, models } = await prepareFullScale({ teacher: 'bert-base-uncased', glue: 'glue_data', seed: 0 }, console.error);
 * ```
 */
export async function prepareFullScale(settings, say) {
  const teachers = [settings.teacher].flat();
  const specs = [];
  for (const dir of teachers) specs.push(await describeTeacher(dir));
  const tasks = [];
  if (settings.glue !== undefined) {
    for (const [task, dir] of await findGlueTasks(settings.glue)) tasks.push(await loadGlueRunTask(task, dir, FULL_SCALE.taskExamples, settings.seed));
  }
  if (settings.squad !== undefined) {
    if (!(await exists(settings.squad))) throw new ConfigError(`Cannot read --squad ${settings.squad}`, { expected: 'SQuAD v1.1 train-v1.1.json', received: 'no such file' });
    say(`squad: ${basename(settings.squad)} found, but span question answering transfer is not implemented in this benchmark yet; the SQuAD column is skipped`);
  }
  if (tasks.length === 0) throw new ConfigError('No task to run at --scale full', { expected: 'a --glue folder with MNLI, QQP, QNLI or SST-2', received: 'only --squad' });
  const texts = await pretrainingTexts(settings.corpus, settings.seed);
  const models = [];
  for (const spec of specs) {
    const encoder = await prepareEncoder(await loadVocab(join(spec.pretrainedDir, 'vocab.txt')), [...texts.map((text) => ({ text })), ...tasks.flatMap(taskTexts)], FULL_SCALE.maxLength);
    models.push({ ...spec, context: { scale: FULL_SCALE, seed: settings.seed, texts, encoder } });
  }
  return { scale: FULL_SCALE, tasks, models };
}
