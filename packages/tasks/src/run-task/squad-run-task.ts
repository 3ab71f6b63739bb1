import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError, createRandom } from '@pofa/core';
import { DataFormatError } from '../errors/index';
import { loadSquad, type SquadExample } from '../formats/index';
import { SQUAD_TASK } from '../squad-task';
import { loadRunTask } from './load-run-task';
import { sampleSplit, type RunTask, type RunTaskOptions, type SpanRunTask } from './run-task';

/**
 * The official file names of SQuAD v1.1.
 *
 * @example
 * ```ts
 * join('squad', SQUAD_FILES.dev); // 'squad/dev-v1.1.json'
 * ```
 */
export const SQUAD_FILES = { train: 'train-v1.1.json', dev: 'dev-v1.1.json' } as const;

async function fileInfo(path: string): Promise<{ path: string; size: number; mtimeMs: number } | 'folder' | undefined> {
  try {
    const info = await stat(path);
    return info.isDirectory() ? 'folder' : { path, size: info.size, mtimeMs: info.mtimeMs };
  } catch {
    return undefined;
  }
}

async function readQuestions(path: string): Promise<SquadExample[]> {
  const { examples } = await loadSquad(path);
  if (examples.length === 0) {
    throw new DataFormatError(`${path} has no questions`, {
      expected: 'SQuAD v1.1 articles with paragraphs and questions (data[].paragraphs[].qas[])',
      received: 'no question in data',
      hint: 'The copy was cut short or is not SQuAD: fetch train-v1.1.json / dev-v1.1.json again',
    });
  }
  return examples;
}

/**
 * Splits off about 5% of the paragraphs (at least one), drawn with a seeded shuffle, as the
 * validation split: the questions of one context stay on one side, so validation never asks
 * about a paragraph the model trained on.
 */
function carveValidation(examples: readonly SquadExample[], seed: number, path: string): { train: SquadExample[]; validation: SquadExample[] } {
  const contexts = [...new Set(examples.map((example) => example.context))];
  if (contexts.length < 2) {
    throw new DataFormatError(`${path} has a single paragraph`, {
      expected: 'two paragraphs or more (about 5% of them become the validation split)',
      received: `${examples.length} questions on one context`,
    });
  }
  const held = new Set(createRandom(seed).shuffle(contexts).slice(0, Math.max(1, Math.floor(contexts.length / 20))));
  return { train: examples.filter((example) => !held.has(example.context)), validation: examples.filter((example) => held.has(example.context)) };
}

/**
 * Loads SQuAD v1.1 as a span run task. `data` is the folder holding the official
 * `train-v1.1.json` and `dev-v1.1.json`: about 5% of the training paragraphs (seeded by `seed`;
 * whole paragraphs) are the validation split, the rest trains, and the dev set is the test split.
 * `data` may instead be one SQuAD file, for evaluation only: it is the test split and `train` and
 * `validation` are empty. Each split is cut to `limits` questions (a seeded sample, as
 * `loadRunTask` does). A missing folder or file is a `ConfigError` naming it and the fix; an
 * empty file or one without questions, or an answer whose `answer_start` does not point at its
 * text, a `DataFormatError`.
 *
 * @example
 * ```ts
 * const task = await loadSquadRunTask('squad', { seed: 0, limits: { train: 88000, validation: 2000, test: 10570 }, cwd: process.cwd() });
 * task.test[0].answers[0]; // { text: 'Denver Broncos', answerStart: 177 }
 * ```
 */
export async function loadSquadRunTask(data: string | undefined, options: RunTaskOptions): Promise<SpanRunTask> {
  if (data === undefined) {
    throw new ConfigError('The task squad needs its data folder', {
      expected: `--data DIR, the folder holding ${SQUAD_FILES.train} and ${SQUAD_FILES.dev}`,
      received: 'no --data',
      hint: 'SQuAD is not downloaded at run time; use the official v1.1 files',
    });
  }
  const path = resolve(options.cwd, data);
  const found = await fileInfo(path);
  if (found === undefined) {
    throw new ConfigError(`The SQuAD data ${path} does not exist`, {
      expected: `a folder holding ${SQUAD_FILES.train} and ${SQUAD_FILES.dev} (or one SQuAD file to evaluate on)`,
      received: 'no such file or folder',
      hint: 'Check --data',
    });
  }
  const { seed, limits } = options;
  const task = (train: SquadExample[], validation: SquadExample[], test: SquadExample[], identity: unknown): SpanRunTask => ({
    kind: 'span',
    name: 'squad',
    train: sampleSplit(train, limits.train, seed),
    validation: sampleSplit(validation, limits.validation, seed + 1),
    test: sampleSplit(test, limits.test, seed + 2),
    specification: SQUAD_TASK,
    identity,
  });
  if (found !== 'folder') return task([], [], await readQuestions(path), { squad: 'v1.1', test: found });
  const trainPath = join(path, SQUAD_FILES.train);
  const devPath = join(path, SQUAD_FILES.dev);
  const [trainInfo, devInfo] = await Promise.all([fileInfo(trainPath), fileInfo(devPath)]);
  const missing = [...(trainInfo === undefined ? [SQUAD_FILES.train] : []), ...(devInfo === undefined ? [SQUAD_FILES.dev] : [])];
  if (missing.length > 0 || trainInfo === 'folder' || devInfo === 'folder') {
    throw new ConfigError(`The SQuAD folder ${path} has no ${missing.join(' and no ') || 'readable files'}`, {
      expected: `${SQUAD_FILES.train} and ${SQUAD_FILES.dev} in ${path}`,
      received: missing.length > 0 ? `missing ${missing.join(', ')}` : 'folders where the files should be',
      hint: `Put the official SQuAD v1.1 files (${missing.join(', ') || 'both'}) in ${path}, or pass --data the folder that has them`,
    });
  }
  const { train, validation } = carveValidation(await readQuestions(trainPath), seed, trainPath);
  return task(train, validation, await readQuestions(devPath), { squad: 'v1.1', train: trainInfo, dev: devInfo, seed });
}

/**
 * Loads any task a run can train on: `squad` as a {@link SpanRunTask} (see
 * {@link loadSquadRunTask}), every other name as a classification or regression `RunTask`
 * (see `loadRunTask`). Tell them apart by `kind`.
 *
 * @example
 * ```ts
 * const task = await loadAnyRunTask('squad', 'data/squad', { seed: 0, limits, cwd: process.cwd() });
 * if (task.kind === 'span') await evaluateSquadModel(model, task.test, tokenizer, { batchSize: 32 });
 * ```
 */
export async function loadAnyRunTask(task: string, data: string | undefined, options: RunTaskOptions): Promise<RunTask | SpanRunTask> {
  return task === 'squad' ? loadSquadRunTask(data, options) : loadRunTask(task, data, options);
}
