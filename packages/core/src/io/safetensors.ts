import { open } from 'node:fs/promises';
import { PofaError } from '../errors/pofa-error';
import { SafetensorsError } from '../errors/safetensors-error';
import type { tf } from '../tensor/tf';
import { writeFileAtomic } from './atomic-write';
import { safetensorsChunks, tensorsFromRaw, type ParsedSafetensors } from './safetensors-codec';
import { rawTensorFromOwnedBytes } from './safetensors-convert';
import type { RawTensor, SafetensorsDtype, SafetensorsHeader } from './safetensors-format';
import { decodeSafetensorsHeader, readHeaderLength } from './safetensors-header';

/**
 * Options of {@link writeSafetensors}.
 *
 * @example
 * ```ts
 * const options: WriteSafetensorsOptions = { dtypes: { 'embeddings.word_embeddings.weight': 'F16' } };
 * ```
 */
export interface WriteSafetensorsOptions {
  /** Store chosen tensors as another dtype (by tensor name). */
  dtypes?: Record<string, SafetensorsDtype>;
}

function fileError(action: string, path: string, error: unknown): PofaError {
  if (PofaError.isInstance(error)) return error;
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : String(error);
  return new SafetensorsError(`Cannot ${action} safetensors file ${path}`, {
    expected: `a ${action === 'read' ? 'readable file' : 'writable location'}`,
    received: code,
    hint: 'Check the path and its permissions',
    cause: error,
  });
}

/** The largest read the file system is asked for at once (Node refuses reads of 2 GiB and more). */
const READ_CHUNK_BYTES = 1 << 30;

type FileHandle = Awaited<ReturnType<typeof open>>;

async function readExactly(handle: FileHandle, target: Uint8Array, position: number, path: string): Promise<void> {
  for (let done = 0; done < target.length; ) {
    const { bytesRead } = await handle.read(target, done, Math.min(READ_CHUNK_BYTES, target.length - done), position + done);
    if (bytesRead === 0) {
      throw new SafetensorsError(`${path} changed while it was read`, {
        expected: `${target.length} bytes at offset ${position}`,
        received: `${done} bytes`,
        hint: 'Read the file again once it is written',
      });
    }
    done += bytesRead;
  }
}

/** Opens a safetensors file, validates its header and hands it with the data section's start to `use`. */
async function withSafetensorsFile<T>(path: string, use: (handle: FileHandle, header: SafetensorsHeader, dataStart: number) => Promise<T>): Promise<T> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw fileError('read', path, error);
  }
  try {
    const { size } = await handle.stat();
    const prefix = new Uint8Array(8);
    await handle.read(prefix, 0, Math.min(8, size), 0);
    const headerLength = readHeaderLength(prefix, size, path);
    const headerBytes = new Uint8Array(headerLength);
    await readExactly(handle, headerBytes, 8, path);
    return await use(handle, decodeSafetensorsHeader(headerBytes, size - 8 - headerLength, path), 8 + headerLength);
  } catch (error) {
    if (PofaError.isInstance(error)) throw error;
    throw fileError('read', path, error);
  } finally {
    await handle.close();
  }
}

/**
 * Reads a safetensors file into raw typed arrays and its metadata, validating it fully. Each
 * tensor is read from the file into its own array, so memory holds the tensors once (never the
 * whole file besides), and files over 2 GiB read as well.
 *
 * @example
 * ```ts
 * const { tensors, metadata } = await readSafetensorsRaw('model.safetensors');
 * console.log(tensors['pooler.dense.weight'].dtype); // e.g. 'F16' (Uint16Array bit patterns)
 * ```
 */
export async function readSafetensorsRaw(path: string): Promise<ParsedSafetensors> {
  return withSafetensorsFile(path, async (handle, header, dataStart) => {
    const tensors: Record<string, RawTensor> = {};
    for (const [name, info] of Object.entries(header.tensors)) {
      const [begin, end] = info.dataOffsets;
      const bytes = new Uint8Array(end - begin);
      await readExactly(handle, bytes, dataStart + begin, path);
      Object.defineProperty(tensors, name, { value: rawTensorFromOwnedBytes(name, info, bytes, path), enumerable: true, writable: true, configurable: true });
    }
    return { tensors, metadata: header.metadata };
  });
}

/**
 * Reads a safetensors file into tfjs tensors: F32/F16/BF16 → float32 (half precision decoded
 * exactly), I8/U8/I32/I64 → int32 (an I64 value outside int32 throws), BOOL → bool. The
 * caller owns (and disposes) the tensors.
 *
 * @example
 * ```ts
 * await initBackend();
 * const tensors = await readSafetensors('model.safetensors');
 * tensors['classifier.weight'].print();
 * ```
 */
export async function readSafetensors(path: string): Promise<Record<string, tf.Tensor>> {
  const { tensors } = await readSafetensorsRaw(path);
  return tensorsFromRaw(tensors, path, false);
}

/**
 * Reads and validates only the header of a safetensors file: its `__metadata__` map and the
 * dtype, shape and data offsets of each tensor, without reading the tensor data.
 *
 * @example
 * ```ts
 * const { metadata, tensors } = await readSafetensorsMetadata('model.safetensors');
 * console.log(metadata.format, Object.keys(tensors).length);
 * ```
 */
export async function readSafetensorsMetadata(path: string): Promise<SafetensorsHeader> {
  return withSafetensorsFile(path, async (_handle, header) => header);
}

/**
 * Writes tensors to a safetensors file atomically: the bytes are built and validated first,
 * then written to a temporary file renamed over `path`, so a failure leaves any earlier file
 * intact and no temporary file behind.
 *
 * @example
 * ```ts
 * await writeSafetensors('out/model.safetensors', { 'classifier.weight': weight }, { format: 'pt' }, { dtypes: { 'classifier.weight': 'F16' } });
 * ```
 */
export async function writeSafetensors(
  path: string,
  tensors: Record<string, tf.Tensor | RawTensor>,
  metadata?: Record<string, string>,
  options: WriteSafetensorsOptions = {},
): Promise<void> {
  const { chunks } = safetensorsChunks(tensors, { metadata, dtypes: options.dtypes });
  try {
    await writeFileAtomic(path, chunks);
  } catch (error) {
    throw fileError('write', path, error);
  }
}
