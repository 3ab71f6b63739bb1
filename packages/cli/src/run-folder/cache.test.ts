import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cachedArtifact, cacheKey, readCacheInfo, resolveCacheDir } from './cache';
import { canonicalJson } from './identity';

describe('cache keys', () => {
  it('do not depend on key order and change with any value', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 2], c: 'x' } })).toBe('{"a":{"c":"x","d":[1,2]},"b":1}');
    expect(cacheKey('vocab', { vocabSize: 2000, texts: 3000 })).toBe(cacheKey('vocab', { texts: 3000, vocabSize: 2000 }));
    expect(cacheKey('vocab', { vocabSize: 2000, texts: 3000 })).not.toBe(cacheKey('vocab', { vocabSize: 2001, texts: 3000 }));
    expect(cacheKey('vocab', { a: 1 })).not.toBe(cacheKey('teacher', { a: 1 }));
    expect(cacheKey('vocab', { a: 1 })).toMatch(/^vocab-[0-9a-f]{16}$/);
  });

  it('resolve the directory from the option, then POFA_CACHE, then ~/.cache/pofa', () => {
    expect(resolveCacheDir('c', { POFA_CACHE: '/env' }, '/work')).toBe('/work/c');
    expect(resolveCacheDir(undefined, { POFA_CACHE: '/env' }, '/work')).toBe('/env');
    expect(resolveCacheDir(undefined, {}, '/work')).toMatch(/\.cache\/pofa$/);
  });
});

describe('cached artifacts', () => {
  it('are created once, then reused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pofa-cache-'));
    let creations = 0;
    const steps = {
      settings: { n: 1 },
      create: async (folder: string) => {
        creations += 1;
        await writeFile(join(folder, 'value.txt'), 'hello');
      },
      load: (folder: string) => readFile(join(folder, 'value.txt'), 'utf8'),
    };
    const first = await cachedArtifact(dir, 'thing-1', steps);
    const second = await cachedArtifact(dir, 'thing-1', steps);
    expect([first.value, first.reused, second.value, second.reused, creations]).toEqual(['hello', false, 'hello', true, 1]);
    expect((await readCacheInfo(first.dir))?.settings).toEqual({ n: 1 });
    expect(await readdir(dir)).toEqual(['thing-1']);
  });

  it('leave nothing behind when creation fails, so the next run creates it again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pofa-cache-'));
    const failing = cachedArtifact(dir, 'thing-2', {
      create: async (folder) => {
        await writeFile(join(folder, 'half.txt'), 'half');
        throw new Error('interrupted');
      },
      load: async () => 'never',
    });
    await expect(failing).rejects.toThrow('interrupted');
    expect(await readdir(dir)).toEqual([]);
  });
});
