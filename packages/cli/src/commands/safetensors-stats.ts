import { open, stat } from 'node:fs/promises';
import { ConfigError, countZerosOfDtype, readSafetensorsMetadata, SAFETENSORS_DTYPE_BYTES } from '@pofa/core';

/** One tensor of `pofa inspect`. */
export interface InspectedTensor {
  name: string;
  dtype: string;
  shape: number[];
  bits: number;
  /** Fraction of exact zeros (a float -0 counts as zero). */
  sparsity: number;
  /** Values × bits, in bytes. */
  nominalBytes: number;
}

/** What {@link inspectSafetensors} returns. */
export interface InspectedSafetensors {
  tensors: InspectedTensor[];
  fileBytes: number;
  metadata: Record<string, string>;
}

/** Bytes read at a time: memory stays at this, whatever the file's size (a multiple of 8, so no element is split). */
const CHUNK_BYTES = 1 << 26;

/**
 * Per-tensor dtype, bits, sparsity and nominal bytes of a safetensors file, plus its size and
 * metadata. The file is read in chunks of 64 MiB, so a BERT-Large checkpoint needs no more memory
 * than that; zeros are counted on typed-array views of the raw bits by `countZerosOfDtype` (F32, F16, BF16: -0 too).
 *
 * @example
 * ```ts
 * const { tensors, fileBytes } = await inspectSafetensors('model.safetensors');
 * ```
 */
export async function inspectSafetensors(path: string): Promise<InspectedSafetensors> {
  const fileBytes = (await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new ConfigError(`Cannot read ${path}`, { expected: 'an existing .safetensors file', received: error.code ?? String(error), hint: 'Check the path' });
  })).size;
  const header = await readSafetensorsMetadata(path);
  const entries = Object.entries(header.tensors);
  // The data section ends the file and its tensors cover it exactly (the header is validated).
  const dataStart = fileBytes - entries.reduce((end, [, info]) => Math.max(end, info.dataOffsets[1]), 0);
  const chunk = new Uint8Array(CHUNK_BYTES);
  const handle = await open(path, 'r');
  try {
    const tensors: InspectedTensor[] = [];
    for (const [name, info] of entries) {
      const bytesPerValue = SAFETENSORS_DTYPE_BYTES[info.dtype];
      const [begin, end] = info.dataOffsets;
      let zeros = 0;
      for (let offset = begin; offset < end; offset += CHUNK_BYTES) {
        const length = Math.min(CHUNK_BYTES, end - offset);
        let read = 0;
        while (read < length) {
          const { bytesRead } = await handle.read(chunk, read, length - read, dataStart + offset + read);
          if (bytesRead === 0) throw new ConfigError(`${path} ended early`, { expected: `${fileBytes} bytes`, received: `end of file at ${dataStart + offset + read}`, hint: 'The file changed while it was read, or is truncated' });
          read += bytesRead;
        }
        zeros += countZerosOfDtype(info.dtype, chunk.subarray(0, length));
      }
      const count = (end - begin) / bytesPerValue;
      tensors.push({ name, dtype: info.dtype, shape: [...info.shape], bits: 8 * bytesPerValue, sparsity: count === 0 ? 0 : zeros / count, nominalBytes: end - begin });
    }
    return { tensors: tensors.sort((a, b) => (a.name < b.name ? -1 : 1)), fileBytes, metadata: header.metadata };
  } finally {
    await handle.close();
  }
}
