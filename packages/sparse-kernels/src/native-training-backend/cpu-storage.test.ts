import { initBackend, tf } from '@pofa/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireStoredValues, storedValues } from './cpu-storage';

describe('storedValues', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });

  it('reads float32 and int32 tensors in place, and nothing of another dtype', () => {
    const floats = tf.tensor1d([1.5, -2]);
    const ints = tf.tensor1d([3, 4], 'int32');
    const flags = tf.tensor1d([true, false], 'bool');
    const backend = tf.backend();
    expect(storedValues(backend, floats, 'float32')).toEqual(Float32Array.from([1.5, -2]));
    expect(storedValues(backend, ints, 'int32')).toEqual(Int32Array.from([3, 4]));
    expect(storedValues(backend, ints, 'float32')).toBeUndefined();
    expect(storedValues(backend, floats, 'int32')).toBeUndefined();
    expect(() => requireStoredValues(backend, flags, 'int32')).toThrow('reads int32 tensors held as Int32Arrays; it got a bool tensor held as Uint8Array');
    tf.dispose([floats, ints, flags]);
  });
});
