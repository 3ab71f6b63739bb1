import { beforeAll, describe, expect, it } from 'vitest';
import { SafetensorsError } from '../errors/safetensors-error';
import { createRandom, type Random } from '../random';
import { initBackend } from '../tensor/backend';
import { tf } from '../tensor/tf';
import { createTensorsFromRaw, parseSafetensors, serializeSafetensors } from './safetensors-codec';
import { SAFETENSORS_DTYPES } from './safetensors-format';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

const VALID = serializeSafetensors(
  {
    'encoder.weight': { dtype: 'F32', shape: [2, 3], data: new Float32Array([1, -2, 3.5, 0, -0, 7]) },
    'encoder.half': { dtype: 'F16', shape: [3], data: new Uint16Array([0x3c00, 0x7c00, 0x0001]) },
    'encoder.brain': { dtype: 'BF16', shape: [1], data: new Uint16Array([0x3f80]) },
    ids: { dtype: 'I64', shape: [2], data: new BigInt64Array([5n, -(2n ** 40n)]) },
    small: { dtype: 'I8', shape: [2], data: new Int8Array([-1, 1]) },
    bytes: { dtype: 'U8', shape: [1, 1], data: new Uint8Array([200]) },
    count: { dtype: 'I32', shape: [], data: new Int32Array([42]) },
    mask: { dtype: 'BOOL', shape: [2], data: new Uint8Array([0, 1]) },
    none: { dtype: 'F32', shape: [0], data: new Float32Array(0) },
  },
  { metadata: { format: 'pt', step: '10' } },
);

function headerLength(bytes: Uint8Array): number {
  return Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
}

function randomNumber(random: Random): unknown {
  const choices = [0, 1, -1, 2, 3, 4, 8, 16, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 60, 1e300, 1.5, '4', null, [], [0, 4]];
  return random.next() < 0.3 ? random.int(64) : choices[random.int(choices.length)];
}

/** Rewrites one field of the JSON header, then rebuilds the file (with a right or wrong length). */
function rewriteHeader(bytes: Uint8Array, random: Random): Uint8Array {
  if (bytes.length < 8 || headerLength(bytes) > bytes.length - 8) return bytes;
  const length = headerLength(bytes);
  let header: Record<string, Record<string, unknown>>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
    if (typeof header !== 'object' || header === null) return bytes;
  } catch {
    return bytes;
  }
  const names = Object.keys(header);
  const name = names[random.int(names.length)];
  const target = header[name];
  const action = random.int(6);
  if (name === undefined || typeof target !== 'object' || target === null) {
    header[`extra${random.int(4)}`] = { dtype: 'U8', shape: [1], data_offsets: [0, 1] };
  } else if (action === 0) delete header[name];
  else if (action === 1) target.dtype = random.next() < 0.7 ? SAFETENSORS_DTYPES[random.int(SAFETENSORS_DTYPES.length)] : 'F64';
  else if (action === 2 && Array.isArray(target.shape)) target.shape[random.int(target.shape.length + 1)] = randomNumber(random);
  else if (action === 3 && Array.isArray(target.data_offsets)) target.data_offsets[random.int(2)] = randomNumber(random);
  else if (action === 4) header[`${name}.copy`] = structuredClone(target);
  else target[['dtype', 'shape', 'data_offsets'][random.int(3)]] = randomNumber(random);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const rebuilt = new Uint8Array(8 + json.length + bytes.length - 8 - length);
  const declared = random.next() < 0.8 ? json.length : random.int(json.length + 16);
  new DataView(rebuilt.buffer).setBigUint64(0, BigInt(declared), true);
  rebuilt.set(json, 8);
  rebuilt.set(bytes.subarray(8 + length), 8 + json.length);
  return rebuilt;
}

function mutate(bytes: Uint8Array, random: Random): Uint8Array {
  const position = random.int(bytes.length + 1);
  switch (random.int(6)) {
    case 0: {
      const flipped = bytes.slice();
      // Half of the flips hit the length prefix or the header, where they matter most.
      const index = random.next() < 0.5 ? random.int(Math.min(bytes.length, 8 + headerLength(VALID))) : random.int(bytes.length);
      flipped[index] ^= 1 << random.int(8);
      return flipped;
    }
    case 1:
      return bytes.slice(0, position);
    case 2:
      return Uint8Array.from([...bytes.subarray(0, position), random.int(256), ...bytes.subarray(position)]);
    case 3:
      return Uint8Array.from([...bytes.subarray(0, position), ...bytes.subarray(position + 1)]);
    case 4: {
      const changed = bytes.slice();
      if (changed.length >= 8) new DataView(changed.buffer).setBigUint64(0, random.next() < 0.5 ? BigInt(random.int(2 ** 31)) : BigInt(random.int(400)), true);
      return changed;
    }
    default:
      return rewriteHeader(bytes, random);
  }
}

describe('parseSafetensors fuzzing', () => {
  it('parses or throws a SafetensorsError for thousands of mutations of a valid file', () => {
    const random = createRandom(20211110);
    const baseline = tf.memory().numTensors;
    let parsed = 0;
    let rejected = 0;
    for (let trial = 0; trial < 3000; trial++) {
      let bytes = VALID;
      const mutations = 1 + random.int(3);
      for (let step = 0; step < mutations; step++) bytes = mutate(bytes, random);
      let result: ReturnType<typeof parseSafetensors>;
      try {
        result = parseSafetensors(bytes);
      } catch (error) {
        if (!SafetensorsError.isInstance(error)) throw new Error(`trial ${trial} threw a non-safetensors error: ${String(error)}`);
        rejected += 1;
        continue;
      }
      parsed += 1;
      // Whatever parses is self-consistent: it writes and reads back to the same contents,
      // and turns into tf tensors or fails cleanly (an I64 value beyond int32).
      expect(parseSafetensors(serializeSafetensors(result.tensors, { metadata: result.metadata }))).toEqual(result);
      try {
        tf.dispose(Object.values(createTensorsFromRaw(result.tensors)));
      } catch (error) {
        expect(SafetensorsError.isInstance(error)).toBe(true);
      }
    }
    expect(tf.memory().numTensors).toBe(baseline);
    // The mutations explore both sides: some files stay valid, most are rejected.
    expect(parsed).toBeGreaterThan(20);
    expect(rejected).toBeGreaterThan(1000);
  }, 60_000);
});
