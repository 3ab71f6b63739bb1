import { describe, expect, it } from 'vitest';
import { countZeros, countZerosOfDtype } from './count-zeros';

const bytesOf = (view: ArrayBufferView) => new Uint8Array(view.buffer, view.byteOffset, view.byteLength);

describe('countZeros', () => {
  it('counts +0 and -0 but not NaN, denormals or other values, in any typed array', () => {
    expect(countZeros(new Float32Array([0, -0, 1, Number.NaN, 1e-45, -2]))).toBe(2);
    expect(countZeros(new Int8Array([0, -1, 0, 127]))).toBe(2);
    expect(countZeros(new Float32Array(0))).toBe(0);
  });
});

describe('countZerosOfDtype', () => {
  it('reads the raw bits of every safetensors dtype', () => {
    expect(countZerosOfDtype('F32', bytesOf(new Float32Array([0, -0, 1e-45, 3])))).toBe(2);
    // F16 and BF16 bit patterns: +0, -0, 1.0 (F16 0x3c00, BF16 0x3f80), the smallest subnormal.
    expect(countZerosOfDtype('F16', bytesOf(new Uint16Array([0x0000, 0x8000, 0x3c00, 0x0001])))).toBe(2);
    expect(countZerosOfDtype('BF16', bytesOf(new Uint16Array([0x0000, 0x8000, 0x3f80, 0x8001])))).toBe(2);
    expect(countZerosOfDtype('I32', bytesOf(new Int32Array([0, -2147483648, 5, 0])))).toBe(2);
    // 2^32 has a zero low word: it is not zero.
    expect(countZerosOfDtype('I64', bytesOf(new BigInt64Array([0n, 4294967296n, -1n, 0n])))).toBe(2);
    expect(countZerosOfDtype('U8', new Uint8Array([0, 255, 0]))).toBe(2);
    expect(countZerosOfDtype('I8', bytesOf(new Int8Array([-128, 0])))).toBe(1);
    expect(countZerosOfDtype('BOOL', new Uint8Array([1, 0, 1]))).toBe(1);
  });

  it('counts a chunk of a larger buffer in place', () => {
    const values = new Float32Array([0, 1, 0, 0, 2]);
    expect(countZerosOfDtype('F32', bytesOf(values).subarray(4, 16))).toBe(2);
  });
});
