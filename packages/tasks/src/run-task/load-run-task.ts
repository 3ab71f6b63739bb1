import { stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { closestMatches, ConfigError, createRandom, type TaskSpecification } from '@pofa/core';
import type { BatchableExample } from '../batching/index';
import { loadSotuPairTask, loadSotuPartyTask, loadSotuYearTask, loadSpamTask, type EmbeddedTask } from '../embedded/index';
import { GLUE_TASK_NAMES, loadGlueTask, loadUserData, type GlueTaskName } from '../formats/index';
import { GLUE_TASKS } from '../glue-tasks';
import { EMBEDDED_TASK_SPECIFICATIONS } from '../task-spec';
import { emptyTaskFile, resolveGlueFolder } from './glue-folder';
import { sampleSplit, type LabelTyping, type RunTask, type RunTaskOptions } from './run-task';
import { checkSplitLabels, checkUserClasses } from './user-task-checks';

const EMBEDDED_LOADERS: Record<string, (options: { seed: number }) => Promise<EmbeddedTask>> = {
  spam: (options) => loadSpamTask(options),
  'sotu-party': loadSotuPartyTask,
  'sotu-year': loadSotuYearTask,
  'sotu-pair': loadSotuPairTask,
};

/**
 * The classification and regression task names `loadRunTask` (and `pofa --task`) accepts besides
 * a file: the embedded tasks and the GLUE tasks. `squad`, a span task, is loaded by `loadAnyRunTask`.
 *
 * @example
 * ```ts
 * TASK_CHOICES.includes('sst2'); // true
 * ```
 */
export const TASK_CHOICES = [...Object.keys(EMBEDDED_LOADERS), ...GLUE_TASK_NAMES] as const;

const USER_FILE_EXTENSIONS = ['.tsv', '.jsonl', '.ndjson'];

function unknownTask(task: string): ConfigError {
  const suggestions = closestMatches(task, [...TASK_CHOICES, 'squad']);
  return new ConfigError(`Unknown task ${JSON.stringify(task)}`, {
    expected: `an embedded task (${Object.keys(EMBEDDED_LOADERS).join(', ')}), a GLUE task with --data DIR (${GLUE_TASK_NAMES.join(', ')}), squad with --data DIR, or a .tsv/.jsonl file of your own`,
    received: JSON.stringify(task),
    hint: suggestions.length > 0 ? `Did you mean ${suggestions.join(' or ')}?` : 'Pass one of the task names listed, or the path of a .tsv/.jsonl file',
  });
}

async function fileInfo(path: string): Promise<{ size: number; mtimeMs: number } | undefined> {
  try {
    const info = await stat(path);
    return info.isFile() ? { size: info.size, mtimeMs: info.mtimeMs } : undefined;
  } catch {
    return undefined;
  }
}

function userSpecification(name: string, labels: string[], regression: boolean): TaskSpecification {
  if (regression) return { specificationVersion: 'v1', name, fields: ['text'], head: 'regression', metrics: ['pearson', 'spearman', 'mse'], primaryMetric: 'pearson' };
  const metrics = labels.length === 2 ? ['accuracy', 'f1'] : ['accuracy'];
  return { specificationVersion: 'v1', name, fields: ['text'], head: 'classification', labels, metrics, primaryMetric: 'accuracy' };
}

async function loadUserTask(path: string, seed: number, typing?: LabelTyping): Promise<RunTask> {
  const info = await fileInfo(path);
  if (info === undefined) {
    throw new ConfigError(`Cannot read the task file ${path}`, { expected: 'an existing .tsv or .jsonl file', received: 'no such file', hint: 'Check the path' });
  }
  const data = await loadUserData(path, { labelKind: typing === 'regression' ? 'number' : typing === 'classes' ? 'name' : 'auto' });
  if (data.examples.some((example) => example.label === null)) {
    throw new ConfigError(`The task file ${path} has unlabelled examples`, { expected: 'a label on every example (training needs them)', received: 'examples without a label' });
  }
  const regression = data.labels.length === 0;
  const examples = data.examples.map((example) => ({ ...example, label: example.label as number }));
  if (!regression) checkUserClasses(path, data.labels, examples.map((example) => example.label));
  const random = createRandom(seed + 1);
  const shuffled = [...examples];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  const validationSize = Math.max(1, Math.floor(shuffled.length / 10));
  const name = `file:${path}`;
  const train = shuffled.slice(2 * validationSize);
  const splits = { train, validation: shuffled.slice(0, validationSize), test: shuffled.slice(validationSize, 2 * validationSize) };
  checkSplitLabels(path, { ...splits, labels: data.labels, regression });
  return {
    kind: 'classification',
    name,
    ...splits,
    labels: data.labels,
    regression,
    ...(regression ? { labelScale: labelScaleOf(train) } : {}),
    specification: userSpecification(name, data.labels, regression),
    identity: { file: resolve(path), ...info, ...(typing === undefined ? {} : { typing }) },
  };
}

function labelScaleOf(examples: readonly BatchableExample[]): { mean: number; std: number } {
  const values = examples.map((example) => Number(example.label));
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const std = Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length) || 1;
  return { mean, std };
}

async function loadGlue(task: GlueTaskName, data: string | undefined): Promise<RunTask> {
  if (data === undefined) {
    throw new ConfigError(`The GLUE task ${task} needs its data folder`, {
      expected: `--data DIR, the folder holding ${task === 'mnli' ? 'train.tsv and dev_matched.tsv' : 'train.tsv and dev.tsv'}`,
      received: 'no --data',
      hint: 'GLUE is not downloaded at run time; use the files of download_glue_data.py',
    });
  }
  const folder = await resolveGlueFolder(task, data);
  const { dir } = folder;
  const read = async (split: string): Promise<BatchableExample[]> => {
    const { examples } = await loadGlueTask(task, dir, split, { onMalformed: 'skip' });
    if (examples.length === 0) throw emptyTaskFile(join(dir, `${split}.tsv`), `the GLUE ${task} ${split} split`);
    return examples.map((example) => ({ ...example, label: example.label as number }));
  };
  const train = await read(folder.train);
  const specification = GLUE_TASKS[task];
  const regression = specification.head === 'regression';
  const validationSize = Math.max(1, Math.floor(train.length / 20));
  return {
    kind: 'classification',
    name: `glue/${task}`,
    train: train.slice(validationSize),
    validation: train.slice(0, validationSize),
    test: await read(folder.test),
    ...(folder.testMismatched === undefined ? {} : { testMismatched: await read(folder.testMismatched) }),
    labels: [...specification.labels],
    regression,
    ...(regression ? { labelScale: labelScaleOf(train) } : {}),
    specification,
    identity: { glue: task, dir: resolve(dir) },
  };
}

/**
 * Loads the task a run trains on: an embedded task (`spam`, `sotu-party`, `sotu-year`,
 * `sotu-pair`), a GLUE task from the folder `data` (the CLI's `--data DIR`), or a `.tsv` /
 * `.jsonl` file of the user's, named by `task` or `data` (split 80/10/10 with a seeded shuffle,
 * its labels typed by `options.labels` and checked by `checkUserClasses` and
 * `checkSplitLabels`). Relative paths resolve against `options.cwd`. Each split is cut to
 * `limits` examples (a seeded sample). An unknown name, a missing file, GLUE without `data`, or
 * `squad` (a span task: load it with `loadAnyRunTask`) are `ConfigError`s.
 *
 * GLUE: `data` is the task's folder of official files (`glue_data/MNLI`) or the folder above it
 * (`glue_data`). The first 5% of `train.tsv` is the validation split, the rest trains, and
 * `dev.tsv` is the test split (MNLI: `dev_matched.tsv`, and `dev_mismatched.tsv` as
 * `testMismatched` when present; score it with `{ ...task, test: task.testMismatched }`). A
 * missing `train.tsv` or dev file is a `ConfigError` naming the folder and the file; an empty
 * one a `DataFormatError`.
 *
 * @example
 * ```ts
 * const task = await loadRunTask('spam', undefined, { seed: 0, limits: { train: 4000, validation: 300, test: 565 }, cwd: process.cwd() });
 * ```
 */
export async function loadRunTask(task: string, data: string | undefined, options: RunTaskOptions): Promise<RunTask> {
  const loaded = await loadFullTask(task, data === undefined ? undefined : resolve(options.cwd, data), options);
  const { limits, seed } = options;
  return {
    ...loaded,
    train: sampleSplit(loaded.train, limits.train, seed),
    validation: sampleSplit(loaded.validation, limits.validation, seed + 1),
    test: sampleSplit(loaded.test, limits.test, seed + 2),
    ...(loaded.testMismatched === undefined ? {} : { testMismatched: sampleSplit(loaded.testMismatched, limits.test, seed + 3) }),
  };
}

async function loadFullTask(task: string, data: string | undefined, options: Omit<RunTaskOptions, 'limits'>): Promise<RunTask> {
  const embedded = EMBEDDED_LOADERS[task];
  if (embedded !== undefined) {
    const loaded = await embedded({ seed: options.seed });
    const specification = (EMBEDDED_TASK_SPECIFICATIONS as Record<string, TaskSpecification>)[`embedded/${task}`];
    return {
      kind: 'classification',
      name: task,
      train: loaded.train,
      validation: loaded.validation,
      test: loaded.test,
      labels: loaded.labels,
      regression: specification.head === 'regression',
      ...(loaded.labelScale === undefined ? {} : { labelScale: loaded.labelScale }),
      specification,
      identity: { embedded: task, seed: options.seed },
    };
  }
  if ((GLUE_TASK_NAMES as readonly string[]).includes(task)) return loadGlue(task as GlueTaskName, data);
  if (task === 'squad') {
    throw new ConfigError('loadRunTask loads classification and regression tasks, not span question answering (squad)', {
      expected: 'a classification or regression task',
      received: 'squad',
      hint: 'Load SQuAD with loadAnyRunTask (or loadSquadRunTask): it returns a span task, which pofa compress, transfer and eval run',
    });
  }
  if (USER_FILE_EXTENSIONS.includes(extname(task).toLowerCase())) return loadUserTask(resolve(options.cwd, task), options.seed, options.labels);
  if (data !== undefined && USER_FILE_EXTENSIONS.includes(extname(data).toLowerCase())) return loadUserTask(data, options.seed, options.labels);
  throw unknownTask(task);
}
