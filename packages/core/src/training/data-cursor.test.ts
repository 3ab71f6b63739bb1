import { describe, expect, it } from 'vitest';
import { createRandom } from '../random';
import { createDataCursor } from './data-cursor';

describe('createDataCursor', () => {
  it('hands out a permutation per epoch in batches and drops the incomplete remainder', () => {
    const cursor = createDataCursor(10, 3, createRandom(1));
    const epoch = [cursor.next(), cursor.next(), cursor.next()].flat();
    expect(new Set(epoch).size).toBe(9);
    expect(epoch.every((index) => index >= 0 && index < 10)).toBe(true);
    expect(cursor.state()).toMatchObject({ epoch: 0, offset: 9 });
    cursor.next();
    expect(cursor.state()).toMatchObject({ epoch: 1, offset: 3 });
  });

  it('resumes mid-epoch to the same sequence of batches', () => {
    const first = createDataCursor(20, 4, createRandom(7));
    for (let i = 0; i < 7; i++) first.next(); // epoch 1, offset 8
    const saved = first.state();
    const expected = Array.from({ length: 9 }, () => first.next());
    const second = createDataCursor(20, 4, createRandom(12345));
    second.loadState(saved);
    expect(Array.from({ length: 9 }, () => second.next())).toEqual(expected);
  });

  it('rejects a data set smaller than one batch', () => {
    expect(() => createDataCursor(3, 4, createRandom(0))).toThrow(/smaller than one batch/);
  });
});
