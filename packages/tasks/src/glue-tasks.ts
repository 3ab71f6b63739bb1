import { GLUE_LAYOUTS } from './formats/glue-layouts';
import { loadGlueTask, type GlueSplit, type LoadGlueOptions } from './formats/glue';
import { GLUE_TASK_NAMES, type GlueTaskName } from './formats/glue-task-name';
import { GLUE_METRICS, glueScore, type GlueMetricName, type GlueScore } from './metrics/glue-score';
import type { TaskRegistryLike, TaskSpecification } from './task-spec';

/**
 * A GLUE task's specification: a {@link TaskSpecification} (the package's structural copy of
 * `@pofa/core`'s registry type) plus the task's splits, loader and scorer.
 */
export interface GlueTaskSpecification extends TaskSpecification {
  readonly specificationVersion: 'v1';
  /** Namespaced registry key, `glue/<task>`. */
  readonly name: `glue/${GlueTaskName}`;
  /** `['text']`, or `['text', 'textPair']` for sentence-pair tasks. */
  readonly fields: ReadonlyArray<'text' | 'textPair'>;
  readonly head: 'classification' | 'regression';
  /** Class names in the official order (index = label id); `[]` for STS-B. */
  readonly labels: readonly string[];
  /** The metrics GLUE reports for the task (names `evaluate()` knows). */
  readonly metrics: readonly GlueMetricName[];
  readonly primaryMetric: GlueMetricName;
  readonly description: string;
  /** The split names of the official files. */
  readonly splits: readonly string[];
  /** Loads one split from the task's folder of official TSV files (see `loadGlueTask`). */
  load(dir: string, split: string, options?: LoadGlueOptions): Promise<GlueSplit>;
  /** Scores predictions against labels (see `glueScore`). */
  score(predictions: ArrayLike<number>, labels: ArrayLike<number>): GlueScore;
}

const DESCRIPTIONS: Record<GlueTaskName, string> = {
  cola: 'CoLA: is the sentence grammatically acceptable?',
  sst2: 'SST-2: sentiment of a movie review sentence.',
  mrpc: 'MRPC: are the two sentences paraphrases?',
  stsb: 'STS-B: semantic similarity of two sentences, 0 to 5.',
  qqp: 'QQP: are the two Quora questions duplicates?',
  mnli: 'MNLI: does the premise entail, contradict or say nothing of the hypothesis?',
  qnli: 'QNLI: does the sentence answer the question?',
  rte: 'RTE: does the first sentence entail the second?',
  wnli: 'WNLI: does the sentence with the pronoun substituted follow?',
};

function createGlueTaskSpecification(task: GlueTaskName): GlueTaskSpecification {
  const fields: GlueTaskSpecification['fields'] = task === 'cola' || task === 'sst2' ? ['text'] : ['text', 'textPair'];
  const specification: GlueTaskSpecification = {
    specificationVersion: 'v1',
    name: `glue/${task}`,
    description: DESCRIPTIONS[task],
    fields,
    head: task === 'stsb' ? 'regression' : 'classification',
    labels: [...GLUE_LAYOUTS[task].labels],
    metrics: [...GLUE_METRICS[task].metrics],
    primaryMetric: GLUE_METRICS[task].primaryMetric,
    splits: [...GLUE_LAYOUTS[task].splits],
    load: (dir: string, split: string, options?: LoadGlueOptions) => loadGlueTask(task, dir, split, options),
    score: (predictions: ArrayLike<number>, labels: ArrayLike<number>) => glueScore(task, predictions, labels),
  };
  return Object.freeze(specification);
}

/**
 * The specifications of the nine GLUE tasks, by task name.
 *
 * @example
 * ```ts
 * GLUE_TASKS.mnli.labels; // ['entailment', 'neutral', 'contradiction']
 * const dev = await GLUE_TASKS.rte.load('glue_data/RTE', 'dev');
 * GLUE_TASKS.rte.score(predictions, dev.examples.map((example) => example.label as number));
 * ```
 */
export const GLUE_TASKS: Readonly<Record<GlueTaskName, GlueTaskSpecification>> = Object.freeze(
  Object.fromEntries(GLUE_TASK_NAMES.map((task) => [task, createGlueTaskSpecification(task)])) as Record<
    GlueTaskName,
    GlueTaskSpecification
  >,
);

/**
 * Registers the nine GLUE task specifications (`glue/cola` ... `glue/wnli`) as kind `'task'` on
 * anything with a `register(kind, spec, options?)` method. Importing this module registers
 * nothing; calling this does.
 *
 * @example
 * ```ts
 * import { defaultRegistry } from '@pofa/core';
 * registerGlueTasks(defaultRegistry);
 * ```
 */
export function registerGlueTasks(registry: TaskRegistryLike, options?: { override?: boolean }): void {
  for (const task of GLUE_TASK_NAMES) registry.register('task', GLUE_TASKS[task], options);
}
