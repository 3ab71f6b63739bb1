import { describe, expect, it } from 'vitest';
import { roundHalfEven } from './round-half-even';

describe('roundHalfEven', () => {
  it('rounds ties to the even neighbour and everything else to the nearest integer, as numpy.round', () => {
    // numpy.round([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, 2.4999, 2.5001, -3.7, 9.996])
    expect([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, 2.4999, 2.5001, -3.7, 9.996].map(roundHalfEven)).toEqual([0, 2, 2, 4, -0, -2, -2, 2, 3, -4, 10]);
  });
});
