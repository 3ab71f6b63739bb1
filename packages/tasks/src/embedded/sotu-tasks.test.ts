import { describe, expect, it } from 'vitest';
import type { ModuleImporter } from './dataset-packages';
import { loadSotuPairTask } from './sotu-pair';
import { loadSotuPartyTask } from './sotu-party';
import { loadSotuSpeeches } from './sotu-speeches';
import { loadSotuYearTask } from './sotu-year';
import { countWords } from './text-segmentation';
import type { EmbeddedTask } from './types';

// A second, uncached parse of the same package: rebuilding from it checks determinism across parses.
const freshImport: ModuleImporter = (name) => import(/* @vite-ignore */ name);

function groupsBySplit(task: EmbeddedTask): Array<Set<string | undefined>> {
  return [task.train, task.validation, task.test].map((split) => new Set(split.map((example) => example.group)));
}

function expectDisjoint(sets: Array<Set<string | undefined>>): void {
  const all = sets.flatMap((set) => [...set]);
  expect(new Set(all).size).toBe(all.length);
}

describe('State of the Union speeches', () => {
  it('cuts the 233 speeches into cleaned passages of at least 30 words', async () => {
    const speeches = await loadSotuSpeeches();
    expect(speeches).toHaveLength(233);
    // 1953 and 1961 each have two speeches (outgoing and incoming president): ids stay unique.
    expect(new Set(speeches.map((speech) => speech.id)).size).toBe(233);
    expect(speeches.find((speech) => speech.id === '1961-john-f-kennedy')?.party).toBe('Democratic');
    const passages = speeches.flatMap((speech) => speech.passages);
    expect(passages.every((passage) => countWords(passage) >= 30)).toBe(true);
    // verbatim repeats are dropped, so no passage can be in two splits
    expect(new Set(passages).size).toBe(passages.length);
    expect(passages.some((passage) => /\(applause/i.test(passage))).toBe(false);
    expect(passages.some((passage) => /\s{2}|\n/.test(passage))).toBe(false);
    expect(speeches[0].passages[0].startsWith('Fellow-Citizens of the Senate and House of Representatives:')).toBe(true);
  });
});

describe('sotu-party', () => {
  it('keeps only Democratic and Republican speeches, each in exactly one split', async () => {
    const task = await loadSotuPartyTask();
    expect(task.labels).toEqual(['Democratic', 'Republican']);
    const groups = groupsBySplit(task);
    expectDisjoint(groups);
    // The dataset has 90 Democratic and 92 Republican addresses.
    expect(groups.reduce((total, set) => total + set.size, 0)).toBe(182);
    const all = [...task.train, ...task.validation, ...task.test];
    expect(new Set(all.map((example) => example.label))).toEqual(new Set(['Democratic', 'Republican']));
    expect(all.filter((example) => example.group?.endsWith('abraham-lincoln')).every((example) => example.label === 'Republican')).toBe(true);
    expect(all.filter((example) => example.group?.endsWith('barack-obama')).every((example) => example.label === 'Democratic')).toBe(true);
    expect(all.some((example) => example.group?.endsWith('john-adams'))).toBe(false); // Federalist
  });

  it('is deterministic across parses and has a stable fingerprint', async () => {
    const task = await loadSotuPartyTask();
    expect(await loadSotuPartyTask({ importer: freshImport })).toEqual(task);
    expect(task.stats.groups).toEqual({ train: 146, validation: 18, test: 18 });
    expect([task.train.length, task.validation.length, task.test.length]).toEqual([12322, 1555, 1642]);
    expect([task.train[0].id, task.validation[0].id, task.test[0].id]).toEqual([
      '1829-andrew-jackson/0',
      '1838-martin-van-buren/0',
      '1853-franklin-pierce/0',
    ]);
    const validation = task.stats.splits.validation as { classCounts: Record<string, number>; majorityBaselineAccuracy: number };
    // train's majority class is Democratic: the baseline on validation is its share there.
    expect(task.stats.majorityClass).toBe('Democratic');
    expect(validation.majorityBaselineAccuracy).toBeCloseTo(validation.classCounts.Democratic / task.validation.length, 12);
    const other = await loadSotuPartyTask({ seed: 1 });
    expect(other.validation.map((example) => example.id)).not.toEqual(task.validation.map((example) => example.id));
  });
});

describe('sotu-year', () => {
  it('labels passages with the year of their speech, 1790 to 2021, split by speech', async () => {
    const task = await loadSotuYearTask();
    expectDisjoint(groupsBySplit(task));
    const all = [...task.train, ...task.validation, ...task.test];
    const years = all.map((example) => example.label as number);
    expect(Math.min(...years)).toBe(1790);
    expect(Math.max(...years)).toBe(2021);
    expect(all.every((example) => example.group?.startsWith(`${example.label}-`))).toBe(true);
    expect(groupsBySplit(task).reduce((total, set) => total + set.size, 0)).toBe(233);
    const { mean, std } = task.labelScale!;
    const trainYears = task.train.map((example) => example.label as number);
    expect(mean).toBeCloseTo(trainYears.reduce((sum, year) => sum + year, 0) / trainYears.length, 9);
    expect(task.test[0].normalizedLabel).toBeCloseTo(((task.test[0].label as number) - mean) / std, 12);
    const test = task.stats.splits.test as { meanBaselineMse: number; mean: number; std: number };
    expect(test.meanBaselineMse).toBeCloseTo(test.std ** 2 + (test.mean - mean) ** 2, 6);
  });
});

describe('sotu-pair', () => {
  it('pairs passages within a split, balanced, deterministic', async () => {
    const task = await loadSotuPairTask();
    expect(await loadSotuPairTask({ importer: freshImport })).toEqual(task);
    const speechesBySplit = groupsBySplit(task);
    expectDisjoint(speechesBySplit);
    const byText = new Map((await loadSotuSpeeches()).flatMap((speech) => speech.passages.map((passage) => [passage, speech.id])));
    for (const [index, split] of [task.train, task.validation, task.test].entries()) {
      const same = split.filter((example) => example.label === 'same').length;
      expect(Math.abs(2 * same - split.length)).toBeLessThanOrEqual(1);
      for (const example of split) {
        const first = byText.get(example.text);
        const second = byText.get(example.textPair!);
        expect(first).toBe(example.group);
        expect(speechesBySplit[index].has(second)).toBe(true);
        expect(example.label).toBe(first === second ? 'same' : 'different');
        if (first === second) expect(example.textPair).not.toBe(example.text);
      }
    }
    expect([task.train.length, task.validation.length, task.test.length]).toEqual([14355, 1642, 1909]);
    expect(task.train[0].id).toBe('1957-dwight-d-eisenhower/21+1957-dwight-d-eisenhower/33');
  });
});
