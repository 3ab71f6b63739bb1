import { ConfigError } from '@pofa/core';
import { describe, expect, it } from 'vitest';
import { layerMappingSchema, mapLayers } from './map-layers';

function teacherLayers(pairs: Array<{ studentLayer: number; teacherLayer: number }>): number[] {
  pairs.forEach((pair, index) => expect(pair.studentLayer).toBe(index + 1));
  return pairs.map((pair) => pair.teacherLayer);
}

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('mapLayers', () => {
  it('skip: a 6-layer student of a 12-layer teacher takes hidden[2], hidden[4], …, hidden[12]', () => {
    expect(teacherLayers(mapLayers(6, 12, 'skip'))).toEqual([2, 4, 6, 8, 10, 12]);
    // BERT-PKD's 3-of-12: stride 4.
    expect(teacherLayers(mapLayers(3, 12, 'skip'))).toEqual([4, 8, 12]);
    // Stride ⌊12/5⌋ = 2 does not reach the last layer.
    expect(teacherLayers(mapLayers(5, 12, 'skip'))).toEqual([2, 4, 6, 8, 10]);
  });

  it('last: the last M teacher layers', () => {
    expect(teacherLayers(mapLayers(6, 12, 'last'))).toEqual([7, 8, 9, 10, 11, 12]);
    expect(teacherLayers(mapLayers(2, 4, 'last'))).toEqual([3, 4]);
  });

  it('uniform: TinyBERT g(m) = m·N/M, rounded when M does not divide N', () => {
    expect(teacherLayers(mapLayers(4, 12, 'uniform'))).toEqual([3, 6, 9, 12]);
    // 12/5 = 2.4: 2.4, 4.8, 7.2, 9.6, 12 → 2, 5, 7, 10, 12.
    expect(teacherLayers(mapLayers(5, 12, 'uniform'))).toEqual([2, 5, 7, 10, 12]);
    expect(teacherLayers(mapLayers(12, 12, 'uniform'))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('an explicit list is used as given, embeddings (0) allowed', () => {
    expect(teacherLayers(mapLayers(3, 12, [0, 6, 12]))).toEqual([0, 6, 12]);
  });

  it('rejects a list of the wrong length or pointing past the teacher', () => {
    const short = thrown(() => mapLayers(3, 12, [4, 8]));
    expect(ConfigError.isInstance(short)).toBe(true);
    expect((short as Error).message).toContain('wrong length');
    const past = thrown(() => mapLayers(3, 12, [4, 8, 13]));
    expect(ConfigError.isInstance(past)).toBe(true);
    expect((past as ConfigError).expected).toContain('[0, 12]');
    expect(ConfigError.isInstance(thrown(() => mapLayers(2, 12, [-1, 3])))).toBe(true);
  });

  it('rejects a student deeper than the teacher for the built-in strategies, and bad counts', () => {
    for (const strategy of ['skip', 'last', 'uniform'] as const) {
      expect(ConfigError.isInstance(thrown(() => mapLayers(8, 6, strategy)))).toBe(true);
    }
    expect(ConfigError.isInstance(thrown(() => mapLayers(0, 12, 'skip')))).toBe(true);
    expect(ConfigError.isInstance(thrown(() => mapLayers(6, 12.5, 'skip')))).toBe(true);
    expect(ConfigError.isInstance(thrown(() => mapLayers(6, 12, 'middle' as 'skip')))).toBe(true);
  });

  it('validates strategies given as data', () => {
    expect(layerMappingSchema.parse('uniform')).toBe('uniform');
    expect(layerMappingSchema.parse([2, 4])).toEqual([2, 4]);
    expect(layerMappingSchema.safeParse('every-other').success).toBe(false);
    expect(layerMappingSchema.safeParse([1.5]).success).toBe(false);
  });
});
