import { describeValue } from '../errors/pofa-error';
import { SafetensorsError } from '../errors/safetensors-error';
import {
  SAFETENSORS_DTYPE_BYTES,
  SAFETENSORS_DTYPES,
  SAFETENSORS_MAX_HEADER_BYTES,
  isSafetensorsDtype,
  isValidShape,
  shapeElementCount,
  type SafetensorsHeader,
  type SafetensorsTensorInfo,
} from './safetensors-format';

/**
 * Reading, validating and writing the header of a safetensors file: the u64 length prefix
 * and the JSON that describes each tensor.
 */

const METADATA_KEY = '__metadata__';

function fail(message: string, expected: string, received: string, hint: string): never {
  throw new SafetensorsError(message, { expected, received, hint });
}

/**
 * Reads the 8-byte little-endian header length at the start of a file of `fileLength` bytes
 * and checks that the header fits in the file and under the size limit.
 */
export function readHeaderLength(prefix: Uint8Array, fileLength: number, source: string): number {
  if (fileLength < 8 || prefix.byteLength < 8) {
    fail(
      `${source} is too short to be a safetensors file`,
      'at least 8 bytes (the header length)',
      `${fileLength} bytes`,
      'The file is truncated or is not a safetensors file',
    );
  }
  const length = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (length > BigInt(SAFETENSORS_MAX_HEADER_BYTES)) {
    fail(
      `${source} has an oversized safetensors header`,
      `a header of at most ${SAFETENSORS_MAX_HEADER_BYTES} bytes`,
      `${length} bytes`,
      'The file is corrupt or is not a safetensors file',
    );
  }
  const headerLength = Number(length);
  if (8 + headerLength > fileLength) {
    fail(
      `${source} has a safetensors header longer than the file`,
      `a header of at most ${fileLength - 8} bytes`,
      `${headerLength} bytes`,
      'The file is truncated or is not a safetensors file',
    );
  }
  return headerLength;
}

function parseHeaderJson(headerBytes: Uint8Array, source: string): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(headerBytes);
  } catch (error) {
    throw new SafetensorsError(`${source} has a safetensors header that is not UTF-8`, {
      expected: 'a UTF-8 JSON header',
      received: 'invalid UTF-8 bytes',
      hint: 'The file is corrupt or is not a safetensors file',
      cause: error,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SafetensorsError(`${source} has a safetensors header that is not JSON`, {
      expected: 'a JSON object',
      received: describeValue(text),
      hint: 'The file is corrupt or is not a safetensors file',
      cause: error,
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    fail(
      `${source} has a safetensors header that is not a JSON object`,
      'a JSON object',
      describeValue(parsed),
      'The file is corrupt or is not a safetensors file',
    );
  }
  return parsed as Record<string, unknown>;
}

function parseMetadata(value: unknown, source: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  const isObject = typeof value === 'object' && !Array.isArray(value);
  const badKey = isObject ? Object.keys(value).find((key) => typeof (value as Record<string, unknown>)[key] !== 'string') : undefined;
  if (!isObject || badKey !== undefined) {
    const received = badKey === undefined ? describeValue(value) : `${JSON.stringify(badKey)}: ${describeValue((value as Record<string, unknown>)[badKey])}`;
    fail(
      `${source} has invalid safetensors metadata`,
      'a "__metadata__" object mapping strings to strings',
      received,
      'Metadata values must be strings; encode numbers and lists as text',
    );
  }
  return Object.fromEntries(Object.entries(value as Record<string, string>));
}

function parseTensorInfo(name: string, value: unknown, bufferLength: number, source: string): SafetensorsTensorInfo {
  const where = `tensor ${JSON.stringify(name)} in ${source}`;
  const corrupt = 'The file is corrupt or was written by a broken writer';
  if (name === '') fail(`${source} has a tensor with an empty name`, 'a non-empty tensor name', '""', corrupt);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(`Invalid entry for ${where}`, 'an object with dtype, shape and data_offsets', describeValue(value), corrupt);
  }
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (!isSafetensorsDtype(dtype)) {
    fail(
      `Unsupported dtype for ${where}`,
      `one of ${SAFETENSORS_DTYPES.join(', ')}`,
      describeValue(dtype),
      'Convert the tensor to a supported dtype before saving it',
    );
  }
  if (!isValidShape(shape)) {
    fail(`Invalid shape for ${where}`, 'an array of non-negative integers', describeValue(shape), corrupt);
  }
  const validOffsets = Array.isArray(offsets) && offsets.length === 2 && offsets.every((offset) => Number.isSafeInteger(offset) && offset >= 0);
  if (!validOffsets || offsets[0] > offsets[1]) {
    fail(`Invalid data_offsets for ${where}`, 'two non-negative integers [begin, end] with begin <= end', describeValue(offsets), corrupt);
  }
  const [begin, end] = offsets as [number, number];
  if (end > bufferLength) {
    fail(
      `Data of ${where} lies beyond the end of the file`,
      `data_offsets within the ${bufferLength}-byte buffer`,
      `[${begin}, ${end}]`,
      'The file is truncated',
    );
  }
  const expectedBytes = shapeElementCount(shape) * SAFETENSORS_DTYPE_BYTES[dtype];
  if (expectedBytes !== end - begin) {
    fail(
      `Byte length of ${where} does not match its shape and dtype`,
      `${expectedBytes} bytes (${dtype} [${shape.join(', ')}])`,
      `${end - begin} bytes`,
      corrupt,
    );
  }
  return { dtype, shape: [...shape], dataOffsets: [begin, end] };
}

function checkCoverage(tensors: Record<string, SafetensorsTensorInfo>, bufferLength: number, source: string): void {
  const ordered = Object.entries(tensors).sort(([, a], [, b]) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1]);
  let position = 0;
  let previous = 'the start of the buffer';
  for (const [name, info] of ordered) {
    const [begin, end] = info.dataOffsets;
    if (begin !== position) {
      const problem = begin < position ? 'overlaps' : 'leaves a gap after';
      fail(
        `Tensor ${JSON.stringify(name)} in ${source} ${problem} ${previous}`,
        `data starting at byte ${position}`,
        `data_offsets [${begin}, ${end}]`,
        'Tensors must cover the byte buffer exactly, without overlaps or holes; the file is corrupt',
      );
    }
    position = end;
    previous = `tensor ${JSON.stringify(name)}`;
  }
  if (position !== bufferLength) {
    fail(
      `${source} has trailing bytes after its last tensor`,
      `a ${position}-byte buffer`,
      `${bufferLength} bytes`,
      'The file is corrupt or was written by a broken writer',
    );
  }
}

/**
 * Validates a safetensors header (the JSON bytes after the length prefix) against a byte
 * buffer of `bufferLength` bytes: dtypes, shapes, offsets, byte lengths, and full coverage
 * of the buffer without overlaps, holes or trailing bytes.
 *
 * @example
 * ```ts
 * const json = new TextEncoder().encode('{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}');
 * decodeSafetensorsHeader(json, 4, 'x.safetensors').tensors.x.shape; // [1]
 * ```
 */
export function decodeSafetensorsHeader(headerBytes: Uint8Array, bufferLength: number, source: string): SafetensorsHeader {
  const json = parseHeaderJson(headerBytes, source);
  const metadata = parseMetadata(json[METADATA_KEY], source);
  const entries = Object.keys(json)
    .filter((name) => name !== METADATA_KEY)
    .map((name) => [name, parseTensorInfo(name, json[name], bufferLength, source)] as const);
  const tensors: Record<string, SafetensorsTensorInfo> = Object.fromEntries(entries);
  checkCoverage(tensors, bufferLength, source);
  return { metadata, tensors };
}

/** Code-unit order, the same on every machine (unlike `localeCompare`). */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The header bytes of a file holding `header`: compact JSON with `__metadata__` first (when
 * not empty, keys sorted), then the tensors sorted by name, padded with spaces to a multiple
 * of 8 bytes as the reference writer does.
 *
 * @example
 * ```ts
 * const bytes = encodeSafetensorsHeader({ metadata: {}, tensors: { x: { dtype: 'F32', shape: [1], dataOffsets: [0, 4] } } });
 * bytes.length % 8; // 0
 * ```
 */
export function encodeSafetensorsHeader(header: SafetensorsHeader): Uint8Array {
  // Built by hand: JSON.stringify of an object would move integer-like keys ("0", "1") first.
  const members: string[] = [];
  const metadataKeys = Object.keys(header.metadata).sort(compareNames);
  if (metadataKeys.length > 0) {
    const pairs = metadataKeys.map((key) => `${JSON.stringify(key)}:${JSON.stringify(header.metadata[key])}`);
    members.push(`${JSON.stringify(METADATA_KEY)}:{${pairs.join(',')}}`);
  }
  for (const name of Object.keys(header.tensors).sort(compareNames)) {
    const info = header.tensors[name];
    const entry = JSON.stringify({ dtype: info.dtype, shape: info.shape, data_offsets: info.dataOffsets });
    members.push(`${JSON.stringify(name)}:${entry}`);
  }
  const encoded = new TextEncoder().encode(`{${members.join(',')}}`);
  const padded = new Uint8Array(Math.ceil(encoded.length / 8) * 8).fill(0x20);
  padded.set(encoded);
  return padded;
}
