import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError, createRandom, type TaskSpecification } from '@pofa/core';
import type { BatchableExample } from '../batching/index';
import { DataFormatError } from '../errors/index';
import { loadUserData, type LoadUserDataOptions } from '../formats/index';
import type { LabelTyping, RunTask } from './run-task';
import { checkSplitLabels, checkUserClasses } from './user-task-checks';

/** The extensions of the files a user's own examples come in. */
export const USER_FILE_EXTENSIONS = ['.tsv', '.jsonl', '.ndjson'];

/** The example fields `loadRunTask` fills from a file: the text, and the pair (the file's `text_pair` column). */
const FILE_FIELDS = ['text', 'textPair'];

async function fileInfo(path: string): Promise<{ size: number; mtimeMs: number } | undefined> {
  try {
    const info = await stat(path);
    return info.isFile() ? { size: info.size, mtimeMs: info.mtimeMs } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The mean and (population) standard deviation of the labels, 1 when they are all equal: how a
 * regression head's targets are scaled.
 *
 * @example
 * ```ts
 * labelScaleOf([{ text: 'a', label: 1 }, { text: 'b', label: 3 }]); // { mean: 2, std: 1 }
 * ```
 */
export function labelScaleOf(examples: readonly BatchableExample[]): { mean: number; std: number } {
  const values = examples.map((example) => Number(example.label));
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const std = Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length) || 1;
  return { mean, std };
}

function userSpecification(name: string, labels: string[], regression: boolean): TaskSpecification {
  if (regression) return { specificationVersion: 'v1', name, fields: ['text'], head: 'regression', metrics: ['pearson', 'spearman', 'mse'], primaryMetric: 'pearson' };
  const metrics = labels.length === 2 ? ['accuracy', 'f1'] : ['accuracy'];
  return { specificationVersion: 'v1', name, fields: ['text'], head: 'classification', labels, metrics, primaryMetric: 'accuracy' };
}

/** How a registered task's file is read: its labels, typed by its head; a typing that contradicts the head is a `ConfigError`. */
function specifiedLoading(specification: TaskSpecification, typing: LabelTyping | undefined): LoadUserDataOptions {
  const { name, head, fields } = specification;
  if (head !== 'classification' && head !== 'regression') {
    throw new ConfigError(`The task ${name} has a ${head} head`, {
      expected: 'a classification or regression task (what loadRunTask loads from a .tsv/.jsonl file)',
      received: head,
      hint: head === 'span' ? 'Load SQuAD-style data with loadAnyRunTask(\'squad\', ...)' : 'Masked-LM pre-training reads a corpus, not a labelled file',
    });
  }
  if (fields.length > 2 || fields.some((field, index) => field !== FILE_FIELDS[index])) {
    throw new ConfigError(`The task ${name} reads fields pofa's files do not have`, {
      expected: `fields ['text'] or ['text', 'textPair'] (the file's text column, and its text_pair column)`,
      received: JSON.stringify(fields),
      hint: 'Name the fields of the spec text and textPair, and the columns of the file text and text_pair',
    });
  }
  const regression = head === 'regression';
  if (typing !== undefined && (typing === 'regression') !== regression) {
    throw new ConfigError(`The task ${name} is a ${head} task`, {
      expected: `no label typing, or ${regression ? 'regression' : 'classes'}`,
      received: typing,
      hint: 'A registered task types its labels by its head; drop --classes / --regression',
    });
  }
  if (regression) return { labelKind: 'number' };
  return { labelKind: 'name', ...(specification.labels === undefined ? {} : { labels: [...specification.labels] }) };
}

/** Every example has a pair when the task reads two fields, none when it reads one. */
function checkPairs(path: string, specification: TaskSpecification, examples: readonly BatchableExample[]): void {
  const pair = specification.fields.length === 2;
  const wrong = examples.find((example) => (example.textPair !== undefined) !== pair);
  if (wrong === undefined) return;
  throw new DataFormatError(`${path}: ${pair ? 'an example has no second text' : 'the examples have a second text'} (example ${wrong.id ?? '?'})`, {
    expected: pair ? `a text_pair column: the task ${specification.name} reads ${specification.fields.join(' and ')}` : `one text: the task ${specification.name} reads ${specification.fields[0]} only`,
    received: pair ? 'a file without text_pair' : 'a text_pair column',
    hint: pair ? 'Add the text_pair column (or the GLUE pair names, such as sentence1/sentence2)' : 'Remove the text_pair column, or load the file with a task that reads two fields',
  });
}

/**
 * Loads a `.tsv` / `.jsonl` file of the user's as a {@link RunTask}: every example labelled, split
 * 80/10/10 by a seeded shuffle, the classes checked by `checkUserClasses` and `checkSplitLabels`.
 * Without `specification` the labels are typed by `typing` (default: integers are classes, other
 * numbers regression targets, words classes in first-seen order) and the task is named
 * `file:<path>`. With a registered `specification` the task is that one: its head types the
 * labels (a classification task's labels are its class names, in its order), its fields say
 * whether examples are pairs, and its metrics score it.
 *
 * @example
 * ```ts
 * const task = await loadFileTask('/data/reviews.tsv', { seed: 0, specification: registry.get('task', 'acme/review-sentiment') });
 * task.labels; // the spec's labels
 * ```
 */
export async function loadFileTask(path: string, settings: { seed: number; typing?: LabelTyping; specification?: TaskSpecification }): Promise<RunTask> {
  const { seed, typing, specification } = settings;
  const info = await fileInfo(path);
  if (info === undefined) {
    throw new ConfigError(`Cannot read the task file ${path}`, { expected: 'an existing .tsv or .jsonl file', received: 'no such file', hint: 'Check the path' });
  }
  const loading = specification === undefined ? { labelKind: typing === 'regression' ? 'number' : typing === 'classes' ? 'name' : 'auto' } as const : specifiedLoading(specification, typing);
  const data = await loadUserData(path, loading);
  if (data.examples.some((example) => example.label === null)) {
    throw new ConfigError(`The task file ${path} has unlabelled examples`, { expected: 'a label on every example (training needs them)', received: 'examples without a label' });
  }
  const regression = specification === undefined ? data.labels.length === 0 : specification.head === 'regression';
  const examples = data.examples.map((example) => ({ ...example, label: example.label as number }));
  if (specification !== undefined) checkPairs(path, specification, examples);
  if (!regression) checkUserClasses(path, data.labels, examples.map((example) => example.label));
  const random = createRandom(seed + 1);
  const shuffled = [...examples];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  const validationSize = Math.max(1, Math.floor(shuffled.length / 10));
  const name = specification?.name ?? `file:${path}`;
  const train = shuffled.slice(2 * validationSize);
  const splits = { train, validation: shuffled.slice(0, validationSize), test: shuffled.slice(validationSize, 2 * validationSize) };
  checkSplitLabels(path, { ...splits, labels: data.labels, regression });
  const file = { file: resolve(path), ...info };
  return {
    kind: 'classification',
    name,
    ...splits,
    labels: data.labels,
    regression,
    ...(regression ? { labelScale: labelScaleOf(train) } : {}),
    specification: specification ?? userSpecification(name, data.labels, regression),
    identity:
      specification === undefined
        ? { ...file, ...(typing === undefined ? {} : { typing }) }
        : { task: specification.name, head: specification.head, fields: specification.fields, labels: data.labels, ...file },
  };
}
