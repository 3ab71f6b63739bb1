import { describe, expect, it } from 'vitest';
import { closestMatches, editDistance } from './edit-distance';

describe('editDistance', () => {
  it.each([
    ['kitten', 'sitting', 3],
    ['', 'abc', 3],
    ['flaw', 'lawn', 2],
    ['same', 'same', 0],
  ])('between %j and %j is %i', (left, right, distance) => {
    expect(editDistance(left, right)).toBe(distance);
    expect(editDistance(right, left)).toBe(distance);
  });
});

describe('closestMatches', () => {
  it('keeps near candidates, best first, and drops far ones', () => {
    expect(closestMatches('prune/magnitud', ['prune/block', 'prune/magnitude', 'prune/magnitudes'])).toEqual([
      'prune/magnitude',
      'prune/magnitudes',
    ]);
    expect(closestMatches('quant/int8', ['prune/block'])).toEqual([]);
  });
});
