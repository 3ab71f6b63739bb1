import { describe, expect, it } from 'vitest';
import { fnv1a, splitKeys } from './hashing';

describe('fnv1a', () => {
  it('matches the published FNV-1a 32-bit test vectors', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
  });
});

describe('splitKeys', () => {
  const keys = Array.from({ length: 100 }, (_, index) => `key-${index}`);

  it('cuts at the fractions, assigns every key once, and does not depend on input order', () => {
    const split = splitKeys(keys, { train: 0.8, validation: 0.1 }, 7);
    const counts = { train: 0, validation: 0, test: 0 };
    for (const key of keys) counts[split.get(key)!] += 1;
    expect(counts).toEqual({ train: 80, validation: 10, test: 10 });
    expect(splitKeys([...keys].reverse(), { train: 0.8, validation: 0.1 }, 7)).toEqual(split);
    expect(splitKeys(keys, { train: 0.8, validation: 0.1 }, 8)).not.toEqual(split);
  });

  it('stratifies: each stratum is cut at the same fractions', () => {
    const stratum = (key: string): string => (Number(key.slice(4)) < 30 ? 'minority' : 'majority');
    const split = splitKeys(keys, { train: 0.8, validation: 0.1 }, 0, stratum);
    const minority = keys.filter((key) => stratum(key) === 'minority').map((key) => split.get(key));
    expect(minority.filter((name) => name === 'train')).toHaveLength(24);
    expect(minority.filter((name) => name === 'validation')).toHaveLength(3);
    expect(minority.filter((name) => name === 'test')).toHaveLength(3);
  });
});
