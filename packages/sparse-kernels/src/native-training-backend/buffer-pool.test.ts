import { initBackend, tf } from '@pofa/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadNativeAddon } from '../kernels/native-addon';
import { Float32Pool, poolOf } from './buffer-pool';
import { POFA_NATIVE_BACKEND, registerPofaNativeBackend } from './register-pofa-native-backend';
import { hasTrainingKernels } from './training-addon';

describe('Float32Pool', () => {
  it('hands a released array out again only after its last holder drops it', () => {
    const pool = new Float32Pool(1 << 20);
    const a = pool.acquire(8);
    pool.stored(a);
    pool.stored(a); // a second data id shares the array
    pool.dropped(a);
    expect(pool.acquire(8)).not.toBe(a);
    pool.dropped(a);
    expect(pool.acquire(8)).toBe(a);
    expect(pool.reused).toBe(1);
  });

  it('never recycles an array that was read out or viewed', () => {
    const pool = new Float32Pool(1 << 20);
    const read = pool.acquire(4);
    pool.stored(read);
    pool.escaped(read);
    pool.dropped(read);
    const viewed = pool.acquire(4);
    pool.stored(viewed);
    pool.stored(viewed.subarray(1, 3));
    pool.dropped(viewed);
    const next = pool.acquire(4);
    expect(next).not.toBe(read);
    expect(next).not.toBe(viewed);
  });

  it('keeps no more free bytes than its capacity', () => {
    const pool = new Float32Pool(64);
    const big = pool.acquire(32); // 128 bytes
    pool.stored(big);
    pool.dropped(big);
    expect(pool.acquire(32)).not.toBe(big);
  });

  it('a miss frees at least the bytes it allocates, the least recently freed length first', () => {
    const pool = new Float32Pool(1 << 20);
    const release = (array: Float32Array): void => {
      pool.stored(array);
      pool.dropped(array);
    };
    const older = pool.acquire(1000); // 4,000 bytes
    const newer = pool.acquire(2000); // 8,000 bytes
    release(older);
    release(newer);
    pool.acquire(500); // a miss of 2,000 bytes: drops `older` (4,000 bytes, freed first), enough
    expect(pool.acquire(2000)).toBe(newer); // a hit frees nothing
    expect(pool.acquire(1000)).not.toBe(older);
    expect(pool.reused).toBe(1);
  });
});

const { addon } = loadNativeAddon();
const native = addon !== undefined && hasTrainingKernels(addon);

describe.runIf(native)('the pofa-native pool', () => {
  beforeAll(async () => {
    registerPofaNativeBackend();
    await initBackend({ backend: POFA_NATIVE_BACKEND });
  });

  it('reuses the outputs of disposed tensors and never overwrites data a caller read', () => {
    const pool = poolOf(tf.engine().backend);
    expect(pool).toBeDefined();
    const x = tf.tensor1d([1, 2, 3, 4]);
    const first = tf.exp(x);
    const read = first.dataSync();
    const kept = Float32Array.from(read);
    first.dispose();
    const before = pool!.reused;
    // Many same-sized outputs: none may land in the array handed to the caller.
    for (let i = 0; i < 5; i++) tf.dispose(tf.mul(x, tf.scalar(i + 10)));
    expect(Array.from(read)).toEqual(Array.from(kept));
    expect(pool!.reused).toBeGreaterThan(before);
    x.dispose();
  });

  it('leaves a slice of a disposed output intact', () => {
    const x = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    const product = tf.mul(x, tf.scalar(2));
    const slice = tf.slice(product, [1, 0], [1, 2]); // tfjs-cpu returns a view for a contiguous slice
    product.dispose();
    for (let i = 0; i < 5; i++) tf.dispose(tf.mul(x, tf.scalar(100)));
    expect(Array.from(slice.dataSync())).toEqual([6, 8]);
    tf.dispose([x, slice]);
  });
});
