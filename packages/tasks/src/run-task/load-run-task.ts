import { extname, join, resolve } from 'node:path';
import { closestMatches, ConfigError, defaultRegistry, isRegistryKey, type Registry, type TaskSpecification } from '@pofa/core';
import type { BatchableExample } from '../batching/index';
import { loadSotuPairTask, loadSotuPartyTask, loadSotuYearTask, loadSpamTask, type EmbeddedTask } from '../embedded/index';
import { GLUE_TASK_NAMES, loadGlueTask, loadUserData, type GlueTaskName } from '../formats/index';
import { GLUE_TASKS } from '../glue-tasks';
import { EMBEDDED_TASK_SPECIFICATIONS } from '../task-spec';
import { emptyTaskFile, resolveGlueFolder } from './glue-folder';
import { sampleSplit, type RunTask, type RunTaskOptions } from './run-task';
import { labelScaleOf, loadFileTask, USER_FILE_EXTENSIONS } from './user-file-task';

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

function unknownTask(task: string, registry: Registry): ConfigError {
  const registered = registry.list('task');
  const suggestions = closestMatches(task, [...TASK_CHOICES, 'squad', ...registered]);
  const registeredText = registered.length === 0 ? 'none is registered' : `registered: ${registered.join(', ')}`;
  return new ConfigError(`Unknown task ${JSON.stringify(task)}`, {
    expected: `an embedded task (${Object.keys(EMBEDDED_LOADERS).join(', ')}), a GLUE task with --data DIR (${GLUE_TASK_NAMES.join(', ')}), squad with --data DIR, a registered task (scope/name; ${registeredText}) with --data FILE, or a .tsv/.jsonl file of your own`,
    received: JSON.stringify(task),
    hint: suggestions.length > 0 ? `Did you mean ${suggestions.join(' or ')}?` : 'Pass one of the task names listed, or the path of a .tsv/.jsonl file; register a task with registry.register(\'task\', spec)',
  });
}

/** A registered task (a `TaskSpecification`) trained on the user's file `data`. */
async function loadRegisteredTask(specification: TaskSpecification, data: string | undefined, options: Omit<RunTaskOptions, 'limits'>): Promise<RunTask> {
  if (data === undefined || !USER_FILE_EXTENSIONS.includes(extname(data).toLowerCase())) {
    const builtIn = /^(glue|embedded)\//.test(specification.name) ? `; pofa's own ${specification.name} loads by its short name (${specification.name.replace(/^[a-z]+\//, '')})` : '';
    throw new ConfigError(`The registered task ${specification.name} needs its examples`, {
      expected: `--data FILE, a ${USER_FILE_EXTENSIONS.join(' / ')} file of labelled examples`,
      received: data === undefined ? 'no --data' : JSON.stringify(data),
      hint: `A registered task is a spec (fields, head, labels, metrics); the examples come from your file${builtIn}`,
    });
  }
  return loadFileTask(data, { seed: options.seed, typing: options.labels, specification });
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
 * Any other `scope/name` is a task registered in `options.registry` (default: `defaultRegistry`
 * of `@pofa/core`): its `TaskSpecification` is the task, and `data` the `.tsv` / `.jsonl` file of
 * its examples (split as a file of yours). The spec's head types the labels (classification: the
 * class names of its `labels`, in that order; a label it does not list is a `DataFormatError`;
 * regression: numbers), its fields say whether examples are one text (`['text']`) or a pair
 * (`['text', 'textPair']`, the file's `text_pair` column), and its metrics are what `evaluate()`
 * reports. A `scope/name` that is not registered is a `ConfigError` listing the registered tasks.
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
 * registry.register('task', reviewSentiment); // acme/review-sentiment: labels ['negative', 'positive'], metrics accuracy and f1
 * const reviews = await loadRunTask('acme/review-sentiment', 'reviews.tsv', { seed: 0, limits, cwd: process.cwd(), registry });
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
  if (options.labels !== undefined && (embedded !== undefined || (GLUE_TASK_NAMES as readonly string[]).includes(task))) {
    throw new ConfigError(`--${options.labels} applies to a --task FILE, not to ${task}`, {
      expected: 'a .tsv or .jsonl task file',
      received: `--task ${task} --${options.labels}`,
      hint: `Drop --${options.labels}: ${task} has its own labels`,
    });
  }
  if (embedded !== undefined) {
    if (data !== undefined) {
      throw new ConfigError(`--data does not apply to the embedded task ${task}`, {
        expected: 'no --data: its examples are built in',
        received: `--data ${data}`,
        hint: 'Drop --data, or name the GLUE task of the folder (sst2, mnli, ...) or a .tsv/.jsonl file as --task',
      });
    }
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
  if (USER_FILE_EXTENSIONS.includes(extname(task).toLowerCase())) return loadFileTask(resolve(options.cwd, task), { seed: options.seed, typing: options.labels });
  const registry = options.registry ?? defaultRegistry;
  if (isRegistryKey(task)) {
    if (registry.has('task', task)) return loadRegisteredTask(registry.get('task', task), data, options);
    throw unknownTask(task, registry);
  }
  if (data !== undefined && USER_FILE_EXTENSIONS.includes(extname(data).toLowerCase())) return loadFileTask(data, { seed: options.seed, typing: options.labels });
  throw unknownTask(task, registry);
}
