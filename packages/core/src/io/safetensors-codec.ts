import { z } from 'zod';
import { describeValue } from '../errors/pofa-error';
import { SafetensorsError } from '../errors/safetensors-error';
import { tf } from '../tensor/tf';
import { rawFromEntry, rawTensorBytes, rawTensorFromBytes, tensorDataFromRaw, validateRawTensor } from './safetensors-convert';
import { SAFETENSORS_DTYPES, type RawTensor, type SafetensorsTensorInfo } from './safetensors-format';
import { compareNames, decodeSafetensorsHeader, encodeSafetensorsHeader, readHeaderLength } from './safetensors-header';

/**
 * Options of {@link serializeSafetensors}: `metadata` is the file's `__metadata__` map;
 * `dtypes` stores chosen tensors as another dtype (F16/BF16 round to nearest even, integer
 * dtypes require integer values in range).
 *
 * @example
 * ```ts
 * SerializeSafetensorsOptionsSchema.parse({ dtypes: { 'pooler.dense.weight': 'BF16' } });
 * ```
 */
export const SerializeSafetensorsOptionsSchema = z
  .object({
    metadata: z.record(z.string(), z.string()).optional(),
    dtypes: z.record(z.string(), z.enum(SAFETENSORS_DTYPES)).optional(),
  })
  .strict();

/**
 * Options of {@link serializeSafetensors}.
 *
 * @example
 * ```ts
 * const options: SerializeSafetensorsOptions = { metadata: { format: 'pt' }, dtypes: { 'encoder.weight': 'F16' } };
 * ```
 */
export type SerializeSafetensorsOptions = z.infer<typeof SerializeSafetensorsOptionsSchema>;

/**
 * The contents of a safetensors file: raw tensors by name and the `__metadata__` map.
 *
 * @example
 * ```ts
 * const { tensors, metadata }: ParsedSafetensors = parseSafetensors(bytes);
 * ```
 */
export interface ParsedSafetensors {
  tensors: Record<string, RawTensor>;
  metadata: Record<string, string>;
}

/** Where `bytes` came from when the caller does not say. */
const DEFAULT_SOURCE = 'the input';

/**
 * Encodes tensors as a safetensors file: names sorted, header padded with spaces to a
 * multiple of 8 bytes, data contiguous and little-endian. A tf.Tensor is stored by its dtype
 * (float32 → F32, int32 → I32, bool → BOOL) unless `options.dtypes` names another.
 *
 * @example
 * ```ts
 * const bytes = serializeSafetensors(
 *   { weight: tf.ones([2, 2]), ids: { dtype: 'I64', shape: [2], data: new BigInt64Array([1n, 2n]) } },
 *   { metadata: { format: 'pt' }, dtypes: { weight: 'BF16' } },
 * );
 * ```
 */
export function serializeSafetensors(entries: Record<string, tf.Tensor | RawTensor>, options: SerializeSafetensorsOptions = {}): Uint8Array {
  const { chunks, byteLength } = safetensorsChunks(entries, options);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(byteLength);
  } catch (error) {
    throw new SafetensorsError('The tensors are too large to serialize in memory', {
      expected: 'a total size the runtime can allocate',
      received: `${byteLength} bytes`,
      hint: 'Write them with writeSafetensors (which streams them to the file), or split them over several files',
      cause: error,
    });
  }
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

/**
 * {@link serializeSafetensors} as the chunks of the file in order — the 8-byte length and header,
 * then each tensor's bytes (views of the tensors' own data where it is already in the file's
 * dtype) — for writing a file without building it in memory.
 *
 * @example
 * ```ts
 * const { chunks, byteLength } = safetensorsChunks({ weight: tf.ones([2, 2]) }, { metadata: { format: 'pt' } });
 * ```
 */
export function safetensorsChunks(entries: Record<string, tf.Tensor | RawTensor>, options: SerializeSafetensorsOptions = {}): { chunks: Uint8Array[]; byteLength: number } {
  const parsedOptions = SerializeSafetensorsOptionsSchema.safeParse(options);
  if (!parsedOptions.success) {
    const issue = parsedOptions.error.issues[0];
    throw new SafetensorsError('Invalid safetensors options', {
      expected: `${issue.path.join('.') || 'options'}: ${issue.message}`,
      received: describeValue(options),
      hint: `dtypes must be among ${SAFETENSORS_DTYPES.join(', ')}; metadata values must be strings`,
    });
  }
  const { metadata = {}, dtypes = {} } = parsedOptions.data;
  if (typeof entries !== 'object' || entries === null) {
    throw new SafetensorsError('Cannot write safetensors', {
      expected: 'a record of tensors by name',
      received: describeValue(entries),
      hint: 'Pass an object such as { "layer.weight": tensor }',
    });
  }
  const names = Object.keys(entries).sort(compareNames);
  const unknownName = Object.keys(dtypes).find((name) => !Object.hasOwn(entries, name));
  if (unknownName !== undefined) {
    throw new SafetensorsError('A dtype is given for a tensor that is not written', {
      expected: `one of the tensor names (${names.slice(0, 8).join(', ')})`,
      received: JSON.stringify(unknownName),
      hint: 'Check the spelling of the names in options.dtypes',
    });
  }
  const badName = names.find((name) => name === '' || name === '__metadata__');
  if (badName !== undefined) {
    throw new SafetensorsError('Invalid tensor name', {
      expected: 'a non-empty name other than "__metadata__"',
      received: JSON.stringify(badName),
      hint: 'Rename the tensor',
    });
  }
  const raws = names.map((name) => rawFromEntry(name, entries[name], dtypes[name]));
  const infos: Record<string, SafetensorsTensorInfo> = {};
  let offset = 0;
  names.forEach((name, index) => {
    const raw = raws[index];
    const info: SafetensorsTensorInfo = { dtype: raw.dtype, shape: [...raw.shape], dataOffsets: [offset, offset + raw.data.byteLength] };
    Object.defineProperty(infos, name, { value: info, enumerable: true, writable: true, configurable: true });
    offset += raw.data.byteLength;
  });
  const header = encodeSafetensorsHeader({ metadata, tensors: infos });
  const prefix = new Uint8Array(8 + header.length);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(header.length), true);
  prefix.set(header, 8);
  return { chunks: [prefix, ...raws.map(rawTensorBytes)], byteLength: prefix.length + offset };
}

/**
 * Decodes a safetensors file held in memory into raw typed arrays (no tfjs), after checking
 * the whole header: any malformed input throws a {@link SafetensorsError}. `source` names
 * the data in error messages.
 *
 * @example
 * ```ts
 * const { tensors, metadata } = parseSafetensors(await readFile('model.safetensors'));
 * console.log(tensors['classifier.bias'].dtype, metadata.format);
 * ```
 */
export function parseSafetensors(bytes: Uint8Array, source: string = DEFAULT_SOURCE): ParsedSafetensors {
  if (!(bytes instanceof Uint8Array)) {
    throw new SafetensorsError(`Cannot parse ${source}`, {
      expected: 'a Uint8Array',
      received: describeValue(bytes),
      hint: 'Read the file as bytes (fs.readFile without an encoding)',
    });
  }
  const headerLength = readHeaderLength(bytes, bytes.length, source);
  const bufferStart = 8 + headerLength;
  const header = decodeSafetensorsHeader(bytes.subarray(8, bufferStart), bytes.length - bufferStart, source);
  const buffer = bytes.subarray(bufferStart);
  const tensors = Object.fromEntries(Object.entries(header.tensors).map(([name, info]) => [name, rawTensorFromBytes(name, info, buffer, source)]));
  return { tensors, metadata: header.metadata };
}

/**
 * Turns raw tensors into tfjs tensors that own copies of the data: F32/F16/BF16 → float32,
 * I8/U8/I32/I64 → int32 (an I64 value outside int32 throws), BOOL → bool. Every tensor is
 * checked before any is made, so an error leaks no tensor.
 *
 * @example
 * ```ts
 * const tensors = createTensorsFromRaw(parseSafetensors(bytes).tensors);
 * tensors['classifier.weight'].print();
 * ```
 */
export function createTensorsFromRaw(tensors: Record<string, RawTensor>, source: string = DEFAULT_SOURCE): Record<string, tf.Tensor> {
  return tensorsFromRaw(tensors, source, true);
}

/**
 * {@link createTensorsFromRaw} for raw tensors nobody else holds: with `copy` false, F32, I32
 * and BOOL tensors share memory with the raw arrays instead of copying them.
 */
export function tensorsFromRaw(tensors: Record<string, RawTensor>, source: string, copy: boolean): Record<string, tf.Tensor> {
  const data = Object.entries(tensors).map(([name, raw]) => {
    const { values, dtype } = tensorDataFromRaw(name, validateRawTensor(name, raw), source);
    return [name, raw.shape, copy && values === raw.data ? values.slice() : values, dtype] as const;
  });
  return Object.fromEntries(data.map(([name, shape, values, dtype]) => [name, tf.tensor(values, shape, dtype)]));
}
