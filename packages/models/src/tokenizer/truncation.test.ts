import { describe, expect, it } from 'vitest';
import { PairQueue } from './pair-queue';
import { codePointToCodeUnit } from './offsets';
import { TokenizerError } from './tokenizer-error';
import { truncatedLengths } from './truncation';

describe('truncatedLengths', () => {
  it('leaves inputs that fit alone', () => {
    expect(truncatedLengths(3, 2, 5, 'only_first')).toEqual([3, 2]);
    expect(truncatedLengths(7, undefined, 7, 'longest_first')).toEqual([7, undefined]);
  });

  it('longest_first: a short sequence stays whole, otherwise floor / ceil of half the room', () => {
    expect(truncatedLengths(9, undefined, 4, 'longest_first')).toEqual([4, undefined]);
    expect(truncatedLengths(2, 10, 6, 'longest_first')).toEqual([2, 4]);
    expect(truncatedLengths(10, 2, 6, 'longest_first')).toEqual([4, 2]);
    expect(truncatedLengths(3, 4, 5, 'longest_first')).toEqual([2, 3]);
    expect(truncatedLengths(4, 3, 5, 'longest_first')).toEqual([3, 2]);
    expect(truncatedLengths(8, 9, 6, 'longest_first')).toEqual([3, 3]);
  });

  it('only_first / only_second take the whole excess from one sequence', () => {
    expect(truncatedLengths(6, 3, 5, 'only_first')).toEqual([2, 3]);
    expect(truncatedLengths(3, 6, 5, 'only_second')).toEqual([3, 2]);
    expect(truncatedLengths(6, undefined, 5, 'only_first')).toEqual([5, undefined]);
  });

  it('fails when the chosen sequence cannot absorb the excess or does not exist', () => {
    expect(() => truncatedLengths(2, 6, 5, 'only_first')).toThrow(TokenizerError);
    expect(() => truncatedLengths(6, 1, 5, 'only_second')).toThrow(/more than 2 tokens/);
    expect(() => truncatedLengths(6, undefined, 5, 'only_second')).toThrow(/without a second text/);
  });
});

describe('codePointToCodeUnit', () => {
  it('maps code-point indices to UTF-16 indices across surrogate pairs', () => {
    const text = 'a😀b𝒳c';
    const toUnits = codePointToCodeUnit(text);
    expect([0, 1, 2, 3, 4, 5].map(toUnits)).toEqual([0, 1, 3, 4, 6, 7]);
    expect(text.slice(toUnits(3), toUnits(4))).toBe('𝒳');
  });

  it('is the identity on text without astral characters', () => {
    const toUnits = codePointToCodeUnit('héllo 中国');
    expect([0, 3, 8].map(toUnits)).toEqual([0, 3, 8]);
  });
});

describe('PairQueue', () => {
  it('pops by count, then by smaller first id, then smaller second id', () => {
    const queue = new PairQueue();
    const entries = [
      { first: 4, second: 1, count: 3 },
      { first: 2, second: 9, count: 5 },
      { first: 2, second: 3, count: 3 },
      { first: 1, second: 8, count: 3 },
      { first: 7, second: 7, count: 1 },
      { first: 2, second: 1, count: 3 },
    ];
    for (const entry of entries) queue.push(entry);
    const popped = [];
    for (let entry = queue.pop(); entry !== undefined; entry = queue.pop()) popped.push([entry.first, entry.second, entry.count]);
    expect(popped).toEqual([
      [2, 9, 5],
      [1, 8, 3],
      [2, 1, 3],
      [2, 3, 3],
      [4, 1, 3],
      [7, 7, 1],
    ]);
    expect(queue.size).toBe(0);
  });
});
