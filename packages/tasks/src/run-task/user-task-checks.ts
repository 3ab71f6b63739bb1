import { DataFormatError } from '../errors/index';
import type { RunTask } from './run-task';

/** A split of a user file needs at least this many examples of each class (one per split). */
const MIN_EXAMPLES_PER_CLASS = 3;

/**
 * Checks, before any training, that the labels of a user file make a task: at least two classes
 * (a numeric column is a regression only with `--regression`, or when its values are not all
 * integers), each with enough examples to appear in the train, validation and test splits.
 * Errors name the file, the class and what to do.
 *
 * @example
 * ```ts
 * checkUserClasses('reviews.tsv', ['neg', 'pos'], examples.map((example) => example.label));
 * ```
 */
export function checkUserClasses(path: string, labels: readonly string[], values: readonly number[]): void {
  const counts = labels.map((_, index) => values.filter((value) => value === index).length);
  const present = labels.filter((_, index) => counts[index] > 0);
  if (present.length < 2) {
    throw new DataFormatError(`${path}: every example has the label ${JSON.stringify(present[0] ?? '')}`, {
      expected: 'at least two classes (a classifier learns to tell them apart)',
      received: `one class (${values.length} examples)`,
      hint: 'Add examples of the other classes; numeric targets train as a regression with --regression',
    });
  }
  const rare = labels.map((name, index) => ({ name, count: counts[index] })).filter(({ count }) => count > 0 && count < MIN_EXAMPLES_PER_CLASS);
  if (rare.length > 0) {
    throw new DataFormatError(`${path}: too few examples of ${rare.map(({ name, count }) => `${JSON.stringify(name)} (${count})`).join(', ')}`, {
      expected: `at least ${MIN_EXAMPLES_PER_CLASS} examples of each class, so that the train, validation and test splits all have one`,
      received: `${rare.length} class${rare.length === 1 ? '' : 'es'} with fewer`,
      hint: 'Add examples of those classes, or remove them; integer targets train as a regression with --regression',
    });
  }
}

/**
 * Checks that every label of the validation and test splits of a user file is in its train split
 * (the seeded split may leave a rare class out of train).
 *
 * @example
 * ```ts
 * checkSplitLabels('reviews.tsv', task);
 * ```
 */
export function checkSplitLabels(path: string, task: Pick<RunTask, 'train' | 'validation' | 'test' | 'labels' | 'regression'>): void {
  if (task.regression) return;
  const trained = new Set(task.train.map((example) => example.label));
  for (const split of ['validation', 'test'] as const) {
    const unseen = [...new Set(task[split].map((example) => example.label))].filter((label) => !trained.has(label));
    if (unseen.length > 0) {
      throw new DataFormatError(`${path}: the ${split} split has labels the train split lacks: ${unseen.map((label) => JSON.stringify(task.labels[label as number])).join(', ')}`, {
        expected: 'every class in the train split',
        received: `${unseen.length} class${unseen.length === 1 ? '' : 'es'} only in ${split}`,
        hint: 'Add examples of those classes (or pass another --seed)',
      });
    }
  }
}

/**
 * What a run inferred from a task, in one line: `reviews.tsv: 3 classes (neg, neu, pos) — 1,200
 * train / 150 validation / 150 test`, or `... regression on numeric labels (mean 3.2, std 1.1) — ...`.
 *
 * @example
 * ```ts
 * io.stderr.write(`pofa: task ${describeRunTask(task)}\n`);
 * ```
 */
export function describeRunTask(task: Pick<RunTask, 'name' | 'train' | 'validation' | 'test' | 'labels' | 'regression' | 'labelScale'>): string {
  const count = (items: readonly unknown[]) => items.length.toLocaleString('en-US');
  const sizes = `${count(task.train)} train / ${count(task.validation)} validation / ${count(task.test)} test`;
  const name = task.name.replace(/^file:/, '');
  if (task.regression) {
    const scale = task.labelScale === undefined ? '' : ` (mean ${task.labelScale.mean.toPrecision(3)}, std ${task.labelScale.std.toPrecision(3)})`;
    return `${name}: regression on numeric labels${scale} — ${sizes}`;
  }
  return `${name}: ${task.labels.length} classes (${task.labels.join(', ')}) — ${sizes}`;
}
