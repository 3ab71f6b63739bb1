import { splitKeys, type SplitName } from './hashing';
import { loadSotuSpeeches } from './sotu-speeches';
import { computeTaskStats } from './task-stats';
import { EmbeddedTaskOptionsSchema, parseOptions, type EmbeddedTaskOptions } from './task-options';
import type { EmbeddedTask, LabelScale, TextExample } from './types';

/**
 * `sotu-year`: a State of the Union passage → the year of its speech (regression). Every
 * speech of every party is used; speeches are split, never passages. Each example also carries
 * `normalizedLabel = (year - mean) / std` with the train split's mean and standard deviation
 * (`task.labelScale`), the target a regression head trains on.
 *
 * @example
 * ```ts
 * const task = await loadSotuYearTask();
 * const { mean, std } = task.labelScale!;
 * console.log(task.test[0].label, task.test[0].normalizedLabel! * std + mean);
 * ```
 */
export async function loadSotuYearTask(options: EmbeddedTaskOptions = {}): Promise<EmbeddedTask> {
  const { seed, trainFraction, validationFraction, importer } = parseOptions(
    EmbeddedTaskOptionsSchema,
    options,
    'loadSotuYearTask',
  );
  const speeches = await loadSotuSpeeches(importer);
  const assignment = splitKeys(
    speeches.map((speech) => speech.id),
    { train: trainFraction, validation: validationFraction },
    seed,
  );
  const splits: Record<SplitName, TextExample[]> = { train: [], validation: [], test: [] };
  for (const speech of speeches) {
    const split = splits[assignment.get(speech.id) as SplitName];
    speech.passages.forEach((text, index) => {
      split.push({ id: `${speech.id}/${index}`, text, label: speech.year, group: speech.id });
    });
  }
  const labelScale = scaleOf(splits.train);
  for (const split of Object.values(splits)) {
    for (const example of split) example.normalizedLabel = ((example.label as number) - labelScale.mean) / labelScale.std;
  }
  return { name: 'sotu-year', ...splits, labels: [], stats: computeTaskStats(splits, []), labelScale };
}

function scaleOf(examples: readonly TextExample[]): LabelScale {
  const years = examples.map((example) => example.label as number);
  const mean = years.reduce((sum, year) => sum + year, 0) / years.length;
  const variance = years.reduce((sum, year) => sum + (year - mean) ** 2, 0) / years.length;
  return { mean, std: Math.sqrt(variance) };
}
