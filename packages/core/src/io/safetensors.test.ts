import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FileSystemError } from '../errors/file-system-error';
import { SafetensorsError } from '../errors/safetensors-error';
import { initBackend } from '../tensor/backend';
import { tf } from '../tensor/tf';
import { readSafetensors, readSafetensorsMetadata, readSafetensorsRaw, writeSafetensors } from './safetensors';
import { safetensorsChunks, serializeSafetensors } from './safetensors-codec';

// Lets a test make the file system fail halfway through a write (a full disk).
const diskFull = vi.hoisted(() => ({ active: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  const failingWriteFile: typeof actual.writeFile = async (path, data, options) => {
    if (!diskFull.active) return actual.writeFile(path, data, options);
    await actual.writeFile(path, (data instanceof Uint8Array ? data : [...(data as Iterable<Uint8Array>)][0]).subarray(0, 16));
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  };
  return { ...actual, default: { ...actual, writeFile: failingWriteFile }, writeFile: failingWriteFile };
});

let directory: string;

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  directory = await mkdtemp(join(tmpdir(), 'pofa-safetensors-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<SafetensorsError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!SafetensorsError.isInstance(error)) throw new Error(`expected a SafetensorsError, received ${String(error)}`);
  return error;
}

describe('safetensors files', () => {
  it('writes and reads back tensors, metadata and dtypes, leaving no temporary file', async () => {
    const folder = join(directory, 'round-trip');
    const path = join(folder, 'model.safetensors');
    const weight = tf.tensor2d([[0.1, -2], [3, 65504]]);
    const ids = tf.tensor1d([1, 2, 3], 'int32');
    await writeSafetensors(path, { 'classifier.weight': weight, 'input.ids': ids }, { format: 'pt' }, { dtypes: { 'classifier.weight': 'F16' } });
    expect(await readdir(folder)).toEqual(['model.safetensors']);

    const raw = await readSafetensorsRaw(path);
    expect(raw.metadata).toEqual({ format: 'pt' });
    expect(raw.tensors['classifier.weight'].dtype).toBe('F16');
    expect(Array.from(raw.tensors['classifier.weight'].data as Uint16Array)).toEqual([0x2e66, 0xc000, 0x4200, 0x7bff]);

    const header = await readSafetensorsMetadata(path);
    expect(header).toEqual({
      metadata: { format: 'pt' },
      tensors: {
        'classifier.weight': { dtype: 'F16', shape: [2, 2], dataOffsets: [0, 8] },
        'input.ids': { dtype: 'I32', shape: [3], dataOffsets: [8, 20] },
      },
    });

    const tensors = await readSafetensors(path);
    expect(tensors['classifier.weight'].dtype).toBe('float32');
    // 0.1 is stored as the nearest half, 0x2e66 = 1638 / 16384.
    expect(tensors['classifier.weight'].arraySync()).toEqual([[1638 / 16384, -2], [3, 65504]]);
    expect(tensors['input.ids'].dtype).toBe('int32');
    expect(tensors['input.ids'].arraySync()).toEqual([1, 2, 3]);
    tf.dispose([weight, ids, ...Object.values(tensors)]);
  });

  it('streams the file chunk by chunk, byte for byte what serializeSafetensors builds, with F32 data not copied', async () => {
    const path = join(directory, 'chunks.safetensors');
    const weight = tf.tensor2d([[1, -0], [2.5, 3]]);
    const entries = { weight, 'b.bias': { dtype: 'F32' as const, shape: [3], data: new Float32Array([1, 2, 3]) }, ids: tf.tensor1d([4, 5], 'int32') };
    const { chunks, byteLength } = safetensorsChunks(entries, { metadata: { format: 'pt' } });
    expect(chunks).toHaveLength(4);
    expect(chunks.slice(1).some((chunk) => chunk.buffer === entries['b.bias'].data.buffer)).toBe(true);
    await writeSafetensors(path, entries, { format: 'pt' });
    const written = await readFile(path);
    expect(written.length).toBe(byteLength);
    expect(new Uint8Array(written)).toEqual(serializeSafetensors(entries, { metadata: { format: 'pt' } }));
    tf.dispose([weight, entries.ids]);
  });

  it('leaves an existing file intact when the tensors cannot be serialized', async () => {
    const path = join(directory, 'keep.safetensors');
    await writeSafetensors(path, { x: { dtype: 'U8', shape: [1], data: new Uint8Array([9]) } });
    const before = await readFile(path);
    const error = await rejection(writeSafetensors(path, { x: { dtype: 'U8', shape: [2], data: new Uint8Array([1]) } }));
    expect(error.message).toMatch(/"x"/);
    expect(await readFile(path)).toEqual(before);
  });

  it('leaves an existing file intact, and no temporary file, when the disk fails mid-write', async () => {
    const folder = join(directory, 'disk-full');
    const path = join(folder, 'model.safetensors');
    const [ones, zeros] = [tf.ones([64]), tf.zeros([64])];
    await writeSafetensors(path, { x: ones });
    const before = await readFile(path);
    diskFull.active = true;
    try {
      const error = await writeSafetensors(path, { x: zeros }).then(() => undefined, (reason: unknown) => reason);
      if (!FileSystemError.isInstance(error)) throw new Error(`expected a FileSystemError, received ${String(error)}`);
      expect(error.message).toMatch(/Cannot write .*model\.safetensors: no space left/);
      expect(error.code).toBe('POFA_NO_SPACE');
      expect(error.errno).toBe('ENOSPC');
    } finally {
      diskFull.active = false;
      tf.dispose([ones, zeros]);
    }
    expect(await readFile(path)).toEqual(before);
    expect(await readdir(folder)).toEqual(['model.safetensors']);
  });

  it('reads only valid files, naming the file in the error', async () => {
    const missing = join(directory, 'missing.safetensors');
    for (const read of [readSafetensors, readSafetensorsRaw, readSafetensorsMetadata]) {
      const error = await rejection(read(missing));
      expect(error.message).toContain(missing);
      expect(error.received).toBe('ENOENT');
    }
    const short = join(directory, 'short.safetensors');
    await writeFile(short, new Uint8Array([1, 2, 3]));
    expect((await rejection(readSafetensorsMetadata(short))).message).toMatch(/short\.safetensors is too short/);

    // A header that promises more data than the file holds fails without reading the data.
    const truncated = join(directory, 'truncated.safetensors');
    await writeSafetensors(truncated, { x: { dtype: 'F32', shape: [4], data: new Float32Array(4) } });
    const bytes = await readFile(truncated);
    await writeFile(truncated, bytes.subarray(0, bytes.length - 4));
    expect((await rejection(readSafetensorsMetadata(truncated))).message).toMatch(/tensor "x" in .*truncated\.safetensors lies beyond the end/);
    expect((await rejection(readSafetensors(truncated))).message).toMatch(/lies beyond the end/);

    const huge = join(directory, 'huge-header.safetensors');
    await writeFile(huge, new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x7b, 0x7d]));
    expect((await rejection(readSafetensorsMetadata(huge))).message).toMatch(/oversized/);
  });
});
