import { open, readFile } from 'node:fs/promises';
import { SafetensorsError } from '../errors/safetensors-error';
import type { tf } from '../tensor/tf';
import { writeFileAtomic } from './atomic-write';
import { parseSafetensors, serializeSafetensors, tensorsFromRaw, type ParsedSafetensors } from './safetensors-codec';
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

function fileError(action: string, path: string, error: unknown): SafetensorsError {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : String(error);
  return new SafetensorsError(`Cannot ${action} safetensors file ${path}`, {
    expected: `a ${action === 'read' ? 'readable file' : 'writable location'}`,
    received: code,
    hint: 'Check the path and its permissions',
    cause: error,
  });
}

/**
 * Reads a safetensors file into raw typed arrays and its metadata, validating it fully.
 *
 * @example
 * ```ts
 * const { tensors, metadata } = await readSafetensorsRaw('model.safetensors');
 * console.log(tensors['pooler.dense.weight'].dtype); // e.g. 'F16' (Uint16Array bit patterns)
 * ```
 */
export async function readSafetensorsRaw(path: string): Promise<ParsedSafetensors> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw fileError('read', path, error);
  }
  return parseSafetensors(bytes, path);
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
  let handle: Awaited<ReturnType<typeof open>>;
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
    const header = new Uint8Array(headerLength);
    const { bytesRead } = await handle.read(header, 0, headerLength, 8);
    if (bytesRead !== headerLength) {
      throw new SafetensorsError(`${path} changed while its header was read`, {
        expected: `${headerLength} header bytes`,
        received: `${bytesRead} bytes`,
        hint: 'Read the file again once it is written',
      });
    }
    return decodeSafetensorsHeader(header, size - 8 - headerLength, path);
  } catch (error) {
    if (SafetensorsError.isInstance(error)) throw error;
    throw fileError('read', path, error);
  } finally {
    await handle.close();
  }
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
  const bytes = serializeSafetensors(tensors, { metadata, dtypes: options.dtypes });
  try {
    await writeFileAtomic(path, bytes);
  } catch (error) {
    throw fileError('write', path, error);
  }
}
