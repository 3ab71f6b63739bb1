// The data of a benchmark run: the MLM corpus, the embedded tasks and GLUE tasks, cut to a scale's sizes.
import { ConfigError, createRandom } from '@pofa/core';
import {
  EMBEDDED_TASK_SPECIFICATIONS,
  GLUE_TASKS,
  loadGlueTask,
  loadMlmCorpus,
  loadSotuPairTask,
  loadSotuPartyTask,
  loadSotuYearTask,
  loadSpamTask,
} from '@pofa/tasks';

const EMBEDDED_LOADERS = { spam: loadSpamTask, 'sotu-party': loadSotuPartyTask, 'sotu-pair': loadSotuPairTask, 'sotu-year': loadSotuYearTask };

/** The embedded tasks, in the column order of the tables. */
export const EMBEDDED_TASKS = Object.keys(EMBEDDED_LOADERS);

/** A seeded sample of `limit` items, in their original order. */
export function sample(items, limit, seed) {
  if (items.length <= limit) return [...items];
  const order = createRandom(seed).shuffle(items.map((_, index) => index));
  return order.slice(0, limit).sort((a, b) => a - b).map((index) => items[index]);
}

/**
 * `count` non-empty passages of the embedded MLM corpus (State of the Union + Moby Dick), a seeded sample.
 *
 * @example
 * ```js
 * const texts = await corpusTexts(3000, 0);
 * ```
 */
export async function corpusTexts(count, seed) {
  const corpus = await loadMlmCorpus({ sources: ['sotu', 'moby-dick'], seed });
  const texts = corpus.train.filter((text) => text.trim() !== '');
  return createRandom(seed).shuffle(texts).slice(0, count);
}

function labelScaleOf(examples) {
  const values = examples.map((example) => Number(example.label));
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const std = Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length) || 1;
  return { mean, std };
}

/**
 * An embedded task (`spam`, `sotu-party`, `sotu-pair`, `sotu-year`) with each split cut to
 * `limits` (a seeded sample), its label names, and the specification `evaluate()` scores with.
 *
 * @example
 * ```js
 * const task = await loadEmbeddedTask('spam', { train: 800, validation: 100, test: 300 }, 0);
 * task.specification.primaryMetric; // 'f1'
 * ```
 */
export async function loadEmbeddedTask(name, limits, seed) {
  const loader = EMBEDDED_LOADERS[name];
  if (loader === undefined) {
    throw new ConfigError(`Unknown embedded task ${JSON.stringify(name)}`, { expected: EMBEDDED_TASKS.join(', '), received: JSON.stringify(name) });
  }
  const loaded = await loader({ seed });
  const specification = EMBEDDED_TASK_SPECIFICATIONS[`embedded/${name}`];
  return {
    name,
    train: sample(loaded.train, limits.train, seed),
    validation: sample(loaded.validation, limits.validation, seed + 1),
    test: sample(loaded.test, limits.test, seed + 2),
    labels: loaded.labels,
    regression: specification.head === 'regression',
    ...(loaded.labelScale === undefined ? {} : { labelScale: loaded.labelScale }),
    specification,
  };
}

/**
 * A GLUE task from its folder (as `download_glue_data.py` writes it): train (minus 5% held out
 * for validation) and the dev set as the test split, since GLUE's test labels are hidden.
 *
 * @example
 * ```js
 * const task = await loadGlueRunTask('sst2', 'glue_data/SST-2', { train: Infinity, validation: 2000, test: Infinity }, 0);
 * ```
 */
export async function loadGlueRunTask(name, dir, limits, seed) {
  const specification = GLUE_TASKS[name];
  const train = (await loadGlueTask(name, dir, 'train', { onMalformed: 'skip' })).examples.map((example) => ({ ...example, label: example.label }));
  const dev = (await loadGlueTask(name, dir, name === 'mnli' ? 'dev_matched' : 'dev', { onMalformed: 'skip' })).examples;
  const held = Math.max(1, Math.floor(train.length / 20));
  const regression = specification.head === 'regression';
  return {
    name,
    train: sample(train.slice(held), limits.train, seed),
    validation: sample(train.slice(0, held), limits.validation, seed + 1),
    test: sample(dev, limits.test, seed + 2),
    labels: [...specification.labels],
    regression,
    ...(regression ? { labelScale: labelScaleOf(train) } : {}),
    specification,
  };
}

/** The number of outputs of a task's head: 1 for regression, else the class count. */
export function labelCountOf(task) {
  return task.regression ? 1 : task.labels.length;
}

/** The batcher's labelling options of a task: class names, or regression with the label scale. */
export function labellingOf(task) {
  return task.regression ? { regression: true, ...(task.labelScale === undefined ? {} : { labelScale: task.labelScale }) } : { labels: task.labels };
}

/** Every text of a task's splits, for `prepareEncoder`. */
export function taskTexts(task) {
  return [...task.train, ...task.validation, ...task.test];
}
