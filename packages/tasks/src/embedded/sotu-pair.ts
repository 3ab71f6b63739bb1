import { createRandom } from '@pofa/core';
import { fnv1a, splitKeys, type SplitName } from './hashing';
import { loadSotuSpeeches, type SotuSpeech } from './sotu-speeches';
import { computeTaskStats } from './task-stats';
import { EmbeddedTaskOptionsSchema, parseOptions, type EmbeddedTaskOptions } from './task-options';
import type { EmbeddedTask, TextExample } from './types';

/** The classes of `sotu-pair`: index 0 = the passages come from different speeches, 1 = the same speech. */
export const SOTU_PAIR_LABELS = ['different', 'same'];

/**
 * `sotu-pair`: two State of the Union passages → `same` (1) when they come from the same speech,
 * else `different` (0). Speeches are split first, so both passages of a pair and every passage of a
 * speech stay in one split. Every passage of a split is the first text of exactly one pair; the
 * partner is drawn with a seeded generator, half of them from the same speech and half from another
 * speech of the same split, so the classes are balanced (to within one pair).
 *
 * @example
 * ```ts
 * const task = await loadSotuPairTask({ seed: 0 });
 * const { text, textPair, label } = task.train[0];
 * ```
 */
export async function loadSotuPairTask(options: EmbeddedTaskOptions = {}): Promise<EmbeddedTask> {
  const { seed, trainFraction, validationFraction, importer } = parseOptions(
    EmbeddedTaskOptionsSchema,
    options,
    'loadSotuPairTask',
  );
  const speeches = await loadSotuSpeeches(importer);
  const assignment = splitKeys(
    speeches.map((speech) => speech.id),
    { train: trainFraction, validation: validationFraction },
    seed,
  );
  const splits: Record<SplitName, TextExample[]> = { train: [], validation: [], test: [] };
  for (const split of Object.keys(splits) as SplitName[]) {
    const members = speeches.filter((speech) => assignment.get(speech.id) === split && speech.passages.length > 0);
    splits[split] = pairPassages(members, seed + fnv1a(`sotu-pair/${split}`));
  }
  return { name: 'sotu-pair', ...splits, labels: [...SOTU_PAIR_LABELS], stats: computeTaskStats(splits, SOTU_PAIR_LABELS) };
}

function pairPassages(speeches: readonly SotuSpeech[], seed: number): TextExample[] {
  if (speeches.length < 2) return [];
  const random = createRandom(seed);
  const anchors: Array<[number, number]> = [];
  speeches.forEach((speech, speechIndex) => speech.passages.forEach((_, passageIndex) => anchors.push([speechIndex, passageIndex])));
  random.shuffle(anchors);
  const examples: TextExample[] = [];
  let same = 0;
  let different = 0;
  for (const [speechIndex, passageIndex] of anchors) {
    const speech = speeches[speechIndex];
    let partnerSpeechIndex: number;
    let partnerIndex: number;
    if (same <= different && speech.passages.length > 1) {
      partnerSpeechIndex = speechIndex;
      partnerIndex = (passageIndex + 1 + random.int(speech.passages.length - 1)) % speech.passages.length;
      same++;
    } else {
      partnerSpeechIndex = (speechIndex + 1 + random.int(speeches.length - 1)) % speeches.length;
      partnerIndex = random.int(speeches[partnerSpeechIndex].passages.length);
      different++;
    }
    const partner = speeches[partnerSpeechIndex];
    examples.push({
      id: `${speech.id}/${passageIndex}+${partner.id}/${partnerIndex}`,
      text: speech.passages[passageIndex],
      textPair: partner.passages[partnerIndex],
      label: partnerSpeechIndex === speechIndex ? 'same' : 'different',
      group: speech.id,
    });
  }
  return examples;
}
