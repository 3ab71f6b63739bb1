import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arbitraryBytes, createTally, damagedBytes, editedJson, fuzzParameters, readOrRefuse } from '../../../../fuzz.shared';
import { initBackend } from '../tensor/backend';
import { tf } from '../tensor/tf';
import { readSafetensors, readSafetensorsMetadata, readSafetensorsRaw } from './safetensors';
import { createTensorsFromRaw, parseSafetensors, serializeSafetensors, type ParsedSafetensors } from './safetensors-codec';

// The file readers (readSafetensorsRaw, readSafetensors, readSafetensorsMetadata) and the in-memory
// parseSafetensors on damaged files: each reads the file or throws a PofaError, all agree, what
// they read never holds more bytes than the file, and it writes and reads back unchanged.

let directory: string;
let counter = 0;

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  directory = await mkdtemp(join(tmpdir(), 'pofa-safetensors-fuzz-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

const VALID = serializeSafetensors(
  {
    'encoder.weight': { dtype: 'F32', shape: [2, 3], data: new Float32Array([1, -2, 3.5, 0, -0, 7]) },
    'encoder.half': { dtype: 'F16', shape: [3], data: new Uint16Array([0x3c00, 0x7c00, 0x0001]) },
    'encoder.brain': { dtype: 'BF16', shape: [1], data: new Uint16Array([0x3f80]) },
    ids: { dtype: 'I64', shape: [2], data: new BigInt64Array([5n, -7n]) },
    small: { dtype: 'I8', shape: [2], data: new Int8Array([-1, 1]) },
    bytes: { dtype: 'U8', shape: [1, 1], data: new Uint8Array([200]) },
    count: { dtype: 'I32', shape: [], data: new Int32Array([42]) },
    mask: { dtype: 'BOOL', shape: [2], data: new Uint8Array([0, 1]) },
    none: { dtype: 'F32', shape: [0], data: new Float32Array(0) },
  },
  { metadata: { format: 'pt', step: '10' } },
);
const HEADER_LENGTH = Number(new DataView(VALID.buffer).getBigUint64(0, true));
const HEADER = JSON.parse(new TextDecoder().decode(VALID.subarray(8, 8 + HEADER_LENGTH))) as unknown;
const DATA = VALID.subarray(8 + HEADER_LENGTH);

/** A file of `header` text (with a right length prefix) and `data`. */
function withHeader(header: string, data: Uint8Array, declaredLength?: bigint): Uint8Array {
  const json = new TextEncoder().encode(header);
  const bytes = new Uint8Array(8 + json.length + data.length);
  new DataView(bytes.buffer).setBigUint64(0, declaredLength ?? BigInt(json.length), true);
  bytes.set(json, 8);
  bytes.set(data, 8 + json.length);
  return bytes;
}

async function fileOf(bytes: Uint8Array): Promise<string> {
  const path = join(directory, `case-${counter++}.safetensors`);
  await writeFile(path, bytes);
  return path;
}

function rawBytes(parsed: ParsedSafetensors): number {
  return Object.values(parsed.tensors).reduce((sum, tensor) => sum + tensor.data.byteLength, 0);
}

/** Reads `bytes` with all three readers: each reads or refuses, reads agree, and nothing read exceeds the file. */
async function readAll(label: string, bytes: Uint8Array): Promise<'read' | 'refused'> {
  const path = await fileOf(bytes);
  const size = (await stat(path)).size;
  const baseline = tf.memory().numTensors;
  const header = await readOrRefuse(`${label} (metadata)`, () => readSafetensorsMetadata(path));
  const raw = await readOrRefuse(`${label} (raw)`, () => readSafetensorsRaw(path), (parsed) => {
    expect(rawBytes(parsed)).toBeLessThanOrEqual(size);
    expect(parseSafetensors(serializeSafetensors(parsed.tensors, { metadata: parsed.metadata }))).toEqual(parsed);
  });
  expect(await readOrRefuse(`${label} (in memory)`, () => parseSafetensors(bytes))).toBe(raw);
  await readOrRefuse(`${label} (tensors from memory)`, () => tf.dispose(Object.values(createTensorsFromRaw(parseSafetensors(bytes).tensors))));
  const tensors = await readOrRefuse(`${label} (tensors)`, () => readSafetensors(path), (read) => {
    tf.dispose(Object.values(read));
  });
  expect(tf.memory().numTensors).toBe(baseline);
  // The header alone can pass where the data does not (a BOOL byte of 2); never the other way round.
  if (raw === 'read') expect(header).toBe('read');
  // An I64 value beyond int32 reads raw and is refused as tensors; never the other way round.
  if (tensors === 'read') expect(raw).toBe('read');
  await rm(path);
  return raw;
}

describe('safetensors file readers under fuzzing (fast-check)', () => {
  it('read the valid file', async () => {
    expect(await readAll('valid', VALID)).toBe('read');
  });

  it('refuse every truncation of the valid file with a PofaError', async () => {
    for (let length = 0; length < VALID.length; length++) expect(await readAll(`truncated to ${length} bytes`, VALID.subarray(0, length))).toBe('refused');
  }, 30_000);

  it('read or refuse arbitrary bytes', async () => {
    const tally = createTally();
    await fc.assert(fc.asyncProperty(arbitraryBytes, async (bytes) => tally.add(await readAll(`bytes ${Buffer.from(bytes).toString('hex').slice(0, 80)}`, bytes))), fuzzParameters(200));
    expect(tally.refused).toBeGreaterThan(150);
  }, 30_000);

  it('read or refuse damaged copies of the valid file (bit flips, hostile bytes, cuts, insertions)', async () => {
    const tally = createTally();
    const anywhere = damagedBytes(VALID);
    const inHeader = damagedBytes(VALID, [0, 8 + HEADER_LENGTH]);
    await fc.assert(fc.asyncProperty(fc.oneof(anywhere, inHeader), async (bytes) => tally.add(await readAll(`damaged file (${bytes.length} bytes)`, bytes))), fuzzParameters(400));
    expect(tally.read).toBeGreaterThan(3);
    expect(tally.refused).toBeGreaterThan(200);
  }, 30_000);

  it('read or refuse headers with hostile values: 1e999, -0, 2^40 and 2^64 sizes, wrong dtypes, deep nesting', async () => {
    const tally = createTally();
    await fc.assert(
      fc.asyncProperty(editedJson(HEADER), async (header) => tally.add(await readAll(`header ${header.slice(0, 200)}`, withHeader(header, DATA)))),
      fuzzParameters(400),
    );
    expect(tally.read).toBeGreaterThan(3);
    expect(tally.refused).toBeGreaterThan(200);
  }, 30_000);

  it('refuse huge declared sizes before allocating them', async () => {
    const huge = [2n ** 27n, 2n ** 32n, 2n ** 40n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n];
    for (const length of huge) expect(await readAll(`declared header length ${length}`, withHeader('{}', DATA, length))).toBe('refused');
    const shapes = [[2 ** 40], [2 ** 20, 2 ** 20], [2 ** 31, 2 ** 31, 2 ** 31], [Number.MAX_SAFE_INTEGER]];
    for (const shape of shapes) {
      const header = JSON.stringify({ big: { dtype: 'F32', shape, data_offsets: [0, 4 * shape.reduce((a, b) => a * b, 1)] } });
      expect(await readAll(`shape ${JSON.stringify(shape)}`, withHeader(header, new Uint8Array(64)))).toBe('refused');
    }
  });
});
