import { createRandom } from '@pofa/core';

/**
 * The 32-bit FNV-1a hash of a string's UTF-16 code units: a stable fingerprint for ids and
 * texts that does not depend on the platform or the process.
 *
 * @example
 * ```ts
 * fnv1a('a'); // 0xe40c292c
 * ```
 */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** Fractions of a three-way split; `test` takes the rest. */
export interface SplitFractions {
  train: number;
  validation: number;
}

/** The names of the three splits. */
export type SplitName = 'train' | 'validation' | 'test';

/**
 * Assigns each key (a speech, a document, an email) to train, validation or test: the keys are
 * sorted, shuffled with a seeded generator and cut at the given fractions, so the assignment
 * depends only on the set of keys, the fractions and the seed. With `strata`, each stratum
 * (class) is cut separately, so the class balance is the same in every split.
 *
 * @example
 * ```ts
 * const split = splitKeys(['a', 'b', 'c', 'd'], { train: 0.5, validation: 0.25 }, 0);
 * split.get('a'); // 'train' | 'validation' | 'test'
 * ```
 */
export function splitKeys(
  keys: readonly string[],
  fractions: SplitFractions,
  seed: number,
  strata?: (key: string) => string,
): Map<string, SplitName> {
  const groups = new Map<string, string[]>();
  for (const key of [...new Set(keys)].sort()) {
    const stratum = strata === undefined ? '' : strata(key);
    const group = groups.get(stratum);
    if (group === undefined) groups.set(stratum, [key]);
    else group.push(key);
  }
  const assignment = new Map<string, SplitName>();
  for (const stratum of [...groups.keys()].sort()) {
    const group = groups.get(stratum) as string[];
    createRandom(seed + fnv1a(stratum)).shuffle(group);
    const trainEnd = Math.round(group.length * fractions.train);
    const validationEnd = trainEnd + Math.round(group.length * fractions.validation);
    group.forEach((key, index) => {
      assignment.set(key, index < trainEnd ? 'train' : index < validationEnd ? 'validation' : 'test');
    });
  }
  return assignment;
}
