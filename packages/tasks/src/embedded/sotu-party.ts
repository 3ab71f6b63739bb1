import { splitKeys, type SplitName } from './hashing';
import { loadSotuSpeeches } from './sotu-speeches';
import { computeTaskStats } from './task-stats';
import { EmbeddedTaskOptionsSchema, parseOptions, type EmbeddedTaskOptions } from './task-options';
import type { EmbeddedTask, TextExample } from './types';

/** The two classes of `sotu-party`; speeches of other parties (Whig, Federalist, ...) are left out. */
export const SOTU_PARTY_LABELS = ['Democratic', 'Republican'];

/**
 * `sotu-party`: a State of the Union passage → the president's party, `Democratic` or
 * `Republican`. Speeches are split (stratified by party), never passages, so no speech is in
 * two splits.
 *
 * @example
 * ```ts
 * const task = await loadSotuPartyTask({ seed: 0 });
 * console.log(task.train[0].label, task.stats.splits.test.majorityBaselineAccuracy);
 * ```
 */
export async function loadSotuPartyTask(options: EmbeddedTaskOptions = {}): Promise<EmbeddedTask> {
  const { seed, trainFraction, validationFraction, importer } = parseOptions(
    EmbeddedTaskOptionsSchema,
    options,
    'loadSotuPartyTask',
  );
  const speeches = (await loadSotuSpeeches(importer)).filter((speech) => SOTU_PARTY_LABELS.includes(speech.party));
  const partyOf = new Map(speeches.map((speech) => [speech.id, speech.party]));
  const assignment = splitKeys(
    speeches.map((speech) => speech.id),
    { train: trainFraction, validation: validationFraction },
    seed,
    (id) => partyOf.get(id) as string,
  );
  const splits: Record<SplitName, TextExample[]> = { train: [], validation: [], test: [] };
  for (const speech of speeches) {
    const split = splits[assignment.get(speech.id) as SplitName];
    speech.passages.forEach((text, index) => {
      split.push({ id: `${speech.id}/${index}`, text, label: speech.party, group: speech.id });
    });
  }
  return { name: 'sotu-party', ...splits, labels: [...SOTU_PARTY_LABELS], stats: computeTaskStats(splits, SOTU_PARTY_LABELS) };
}
