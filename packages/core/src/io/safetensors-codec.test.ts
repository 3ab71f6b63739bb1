import { beforeAll, describe, expect, it } from 'vitest';
import { SafetensorsError } from '../errors/safetensors-error';
import { initBackend } from '../tensor/backend';
import { tf } from '../tensor/tf';
import { createTensorsFromRaw, parseSafetensors, serializeSafetensors } from './safetensors-codec';
import type { RawTensor } from './safetensors-format';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

let baseline = 0;

function bytesOf(text: string): number[] {
  return Array.from(new TextEncoder().encode(text));
}

function expectSafetensorsError(action: () => unknown, pattern: RegExp): void {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(SafetensorsError.isInstance(caught), String(caught)).toBe(true);
  expect((caught as Error).message).toMatch(pattern);
}

describe('serializeSafetensors', () => {
  it('writes the bytes worked out by hand: sorted names, space padding, little-endian data', () => {
    const bytes = serializeSafetensors(
      { b: { dtype: 'F32', shape: [2], data: new Float32Array([1, -2]) }, a: { dtype: 'I8', shape: [2], data: new Int8Array([3, -1]) } },
      { metadata: { format: 'pt' } },
    );
    // 138 bytes of JSON, padded with 6 spaces to 144 = 0x90.
    const json = '{"__metadata__":{"format":"pt"},"a":{"dtype":"I8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"F32","shape":[2],"data_offsets":[2,10]}}';
    const expected = [
      ...[0x90, 0, 0, 0, 0, 0, 0, 0],
      ...bytesOf(json),
      ...bytesOf('      '),
      ...[0x03, 0xff], // I8 3, -1
      ...[0x00, 0x00, 0x80, 0x3f], // F32 1.0 = 0x3f800000
      ...[0x00, 0x00, 0x00, 0xc0], // F32 -2.0 = 0xc0000000
    ];
    expect(Array.from(bytes)).toEqual(expected);
  });

  it('orders integer-like names as strings and omits empty metadata', () => {
    const scalar = (value: number): RawTensor => ({ dtype: 'U8', shape: [], data: new Uint8Array([value]) });
    const bytes = serializeSafetensors({ '10': scalar(1), '2': scalar(2) });
    const json = '{"10":{"dtype":"U8","shape":[],"data_offsets":[0,1]},"2":{"dtype":"U8","shape":[],"data_offsets":[1,2]}}';
    expect(json.length).toBe(104); // already a multiple of 8: no padding
    expect(Array.from(bytes)).toEqual([104, 0, 0, 0, 0, 0, 0, 0, ...bytesOf(json), 1, 2]);
  });

  it('rejects bad names, bad dtypes, bad raw tensors and values out of range', () => {
    const ones = tf.ones([2]);
    expectSafetensorsError(() => serializeSafetensors({ '': ones }), /Invalid tensor name/);
    expectSafetensorsError(() => serializeSafetensors({ __metadata__: ones }), /Invalid tensor name/);
    expectSafetensorsError(() => serializeSafetensors({ x: ones }, { dtypes: { y: 'F16' } }), /not written/);
    expectSafetensorsError(() => serializeSafetensors({ x: ones }, { dtypes: { x: 'F64' as 'F32' } }), /Invalid safetensors options/);
    expectSafetensorsError(() => serializeSafetensors({ x: ones }, { metadata: { n: 3 as unknown as string } }), /Invalid safetensors options/);
    expectSafetensorsError(() => serializeSafetensors({ x: { dtype: 'F32', shape: [3], data: new Float32Array(2) } }), /"x".*does not match the shape/);
    expectSafetensorsError(() => serializeSafetensors({ x: { dtype: 'F16', shape: [2], data: new Float32Array(2) } }), /wrong data array/);
    expectSafetensorsError(() => serializeSafetensors({ x: { dtype: 'F32', shape: [-1], data: new Float32Array(0) } }), /invalid shape/);
    expectSafetensorsError(() => serializeSafetensors({ x: { dtype: 'BOOL', shape: [1], data: new Uint8Array([2]) } }), /does not fit BOOL/);
    expectSafetensorsError(() => serializeSafetensors({ x: 3 as unknown as RawTensor }), /not a tensor/);
    expectSafetensorsError(() => serializeSafetensors({ x: tf.tensor([128, 0], [2], 'int32') }, { dtypes: { x: 'I8' } }), /"x".*does not fit I8.*128 at element 0/);
    expectSafetensorsError(() => serializeSafetensors({ x: tf.tensor([0, -1], [2], 'int32') }, { dtypes: { x: 'U8' } }), /does not fit U8.*-1 at element 1/);
    expectSafetensorsError(() => serializeSafetensors({ x: tf.tensor([0.5]) }, { dtypes: { x: 'I32' } }), /does not fit I32/);
    expectSafetensorsError(() => serializeSafetensors({ x: tf.complex([1], [1]) }), /unsupported tensor dtype/);
    const disposed = tf.ones([1]);
    disposed.dispose();
    expectSafetensorsError(() => serializeSafetensors({ x: disposed }), /disposed/);
    ones.dispose();
  });
});

describe('safetensors round trips', () => {
  it('keeps every dtype of raw tensors bit for bit', () => {
    const raws: Record<string, RawTensor> = {
      f32: { dtype: 'F32', shape: [2, 3], data: new Float32Array([0, -0, 1.5, -Infinity, NaN, 3.4028234663852886e38]) },
      f16: { dtype: 'F16', shape: [4], data: new Uint16Array([0x0001, 0x8000, 0x7c00, 0x7e01]) },
      bf16: { dtype: 'BF16', shape: [2, 1], data: new Uint16Array([0x3f80, 0xff80]) },
      i8: { dtype: 'I8', shape: [3], data: new Int8Array([-128, 0, 127]) },
      u8: { dtype: 'U8', shape: [2], data: new Uint8Array([0, 255]) },
      i32: { dtype: 'I32', shape: [2], data: new Int32Array([-2147483648, 2147483647]) },
      i64: { dtype: 'I64', shape: [2], data: new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n]) },
      bool: { dtype: 'BOOL', shape: [1, 2], data: new Uint8Array([1, 0]) },
      empty: { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
      scalar: { dtype: 'I32', shape: [], data: new Int32Array([7]) },
    };
    const parsed = parseSafetensors(serializeSafetensors(raws, { metadata: { format: 'pt', note: 'é ✓' } }));
    expect(parsed.metadata).toEqual({ format: 'pt', note: 'é ✓' });
    expect(Object.keys(parsed.tensors).sort()).toEqual(Object.keys(raws).sort());
    for (const [name, raw] of Object.entries(raws)) {
      const back = parsed.tensors[name];
      expect(back.dtype).toBe(raw.dtype);
      expect(back.shape).toEqual(raw.shape);
      expect(back.data.constructor).toBe(raw.data.constructor);
      expect(Array.from(new Uint8Array(back.data.buffer, back.data.byteOffset, back.data.byteLength))).toEqual(
        Array.from(new Uint8Array(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength)),
      );
    }
  });

  it('writes tf tensors by dtype and reads them back as float32, int32 and bool', () => {
    baseline = tf.memory().numTensors;
    const input = { weight: tf.tensor2d([[1.5, -2], [0, 3]]), ids: tf.tensor1d([5, -7], 'int32'), flags: tf.tensor1d([true, false], 'bool') };
    const parsed = parseSafetensors(serializeSafetensors(input));
    expect([parsed.tensors.weight.dtype, parsed.tensors.ids.dtype, parsed.tensors.flags.dtype]).toEqual(['F32', 'I32', 'BOOL']);
    const output = createTensorsFromRaw(parsed.tensors);
    expect(output.weight.dtype).toBe('float32');
    expect(output.weight.shape).toEqual([2, 2]);
    expect(output.weight.arraySync()).toEqual([[1.5, -2], [0, 3]]);
    expect(output.ids.dtype).toBe('int32');
    expect(output.ids.arraySync()).toEqual([5, -7]);
    expect(output.flags.dtype).toBe('bool');
    expect(output.flags.arraySync()).toEqual([1, 0]);
    tf.dispose([...Object.values(input), ...Object.values(output)]);
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('converts to the dtypes asked for: F16/BF16 rounding, I8/U8/I64 ranges', () => {
    const values = [1, 1 + 2 ** -11, 65520, -0, 2 ** -25, NaN];
    const input = tf.tensor1d(values);
    const ints = tf.tensor1d([-128, 255], 'int32');
    const raw = parseSafetensors(
      serializeSafetensors(
        { half: input, brain: input, small: tf.tensor1d([-128, 127], 'int32'), bytes: ints, long: ints, fromHalf: { dtype: 'F16', shape: [1], data: new Uint16Array([0x3c00]) } },
        { dtypes: { half: 'F16', brain: 'BF16', small: 'I8', bytes: 'I32', long: 'I64', fromHalf: 'F32' } },
      ),
    ).tensors;
    expect(Array.from(raw.half.data as Uint16Array)).toEqual([0x3c00, 0x3c00, 0x7c00, 0x8000, 0x0000, 0x7e00]);
    expect(Array.from(raw.brain.data as Uint16Array)).toEqual([0x3f80, 0x3f80, 0x4780, 0x8000, 0x3300, 0x7fc0]);
    expect(Array.from(raw.small.data as Int8Array)).toEqual([-128, 127]);
    expect(Array.from(raw.long.data as BigInt64Array)).toEqual([-128n, 255n]);
    expect(raw.fromHalf).toEqual({ dtype: 'F32', shape: [1], data: new Float32Array([1]) });
    const read = createTensorsFromRaw(raw);
    expect(Array.from(read.half.dataSync())).toEqual([1, 1, Infinity, -0, 0, NaN]);
    expect(Array.from(read.brain.dataSync())).toEqual([1, 1, 65536, -0, 2 ** -25, NaN]);
    expect(read.small.dtype).toBe('int32');
    expect(Array.from(read.long.dataSync())).toEqual([-128, 255]);
    tf.dispose([input, ints, ...Object.values(read)]);
  });

  it('reads I8/U8/I64 as int32 and rejects I64 values outside int32, naming the tensor', () => {
    baseline = tf.memory().numTensors;
    const ok = createTensorsFromRaw({
      a: { dtype: 'I8', shape: [2], data: new Int8Array([-5, 6]) },
      b: { dtype: 'U8', shape: [1], data: new Uint8Array([200]) },
      c: { dtype: 'I64', shape: [2], data: new BigInt64Array([-2147483648n, 2147483647n]) },
    });
    expect(Object.values(ok).map((tensor) => [tensor.dtype, Array.from(tensor.dataSync())])).toEqual([
      ['int32', [-5, 6]],
      ['int32', [200]],
      ['int32', [-2147483648, 2147483647]],
    ]);
    tf.dispose(Object.values(ok));
    expectSafetensorsError(
      () => createTensorsFromRaw({ fine: { dtype: 'F32', shape: [1], data: new Float32Array(1) }, big: { dtype: 'I64', shape: [1], data: new BigInt64Array([2n ** 31n]) } }),
      /out of range in tensor "big"/,
    );
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('gives tensors their own copy of raw data, and rejects malformed raw tensors', () => {
    const raw: RawTensor = { dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) };
    const { x } = createTensorsFromRaw({ x: raw });
    raw.data[0] = 99;
    expect(Array.from(x.dataSync())).toEqual([1, 2]);
    x.dispose();
    baseline = tf.memory().numTensors;
    expectSafetensorsError(() => createTensorsFromRaw({ ok: raw, bad: { dtype: 'I32', shape: [3], data: new Int32Array(2) } }), /"bad".*does not match the shape/);
    expect(tf.memory().numTensors).toBe(baseline);
  });
});
