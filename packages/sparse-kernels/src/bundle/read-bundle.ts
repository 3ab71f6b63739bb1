import { readFile } from 'node:fs/promises';
import { BundleError } from './bundle-error';
import { deploymentMismatch } from './bundle-deployment';
import { BUNDLE_MAGIC, BUNDLE_VERSION, MAX_HEADER_BYTES, READABLE_BUNDLE_VERSIONS, PREAMBLE_BYTES, SEGMENT_ALIGNMENT, bundleHeaderSchema, type BundleHeader } from './bundle-header';
import { checkNoOverlap, checkTensorDirectory, entrySegments } from './bundle-directory';
import type { Bundle, BundleTensor } from './bundle-types';
import { crc32 } from './crc32';
import { decodeDense, decodePacked, segmentBytes } from './decode-tensor';
import { encoderConfigSchema, type EncoderConfig } from './encoder-config';

function fail(message: string, expected: string, received: string, hint?: string): never {
  throw new BundleError(message, { expected, received, hint });
}

/** Checks the preamble, lengths and checksum; returns the header bytes and the data section. */
function splitFile(bytes: Uint8Array): { header: Uint8Array; data: Uint8Array; version: number } {
  if (bytes.length < PREAMBLE_BYTES + 4) fail('Not a .pofa bundle: the file is too short', `at least ${PREAMBLE_BYTES + 4} bytes`, `${bytes.length} bytes`);
  const magic = String.fromCharCode(bytes[0], bytes[1], bytes[2], bytes[3]);
  if (magic !== BUNDLE_MAGIC) fail('Not a .pofa bundle', `the magic "${BUNDLE_MAGIC}"`, JSON.stringify(magic), 'Pass a file written by writeBundle or exportBundle');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(4, true);
  if (!READABLE_BUNDLE_VERSIONS.includes(version)) {
    const hint = version > BUNDLE_VERSION ? 'The bundle is newer than this @pofa/sparse-kernels: upgrade it' : 'Export the bundle again';
    fail('Unsupported .pofa version', `version ${READABLE_BUNDLE_VERSIONS.join(' or ')}`, `version ${version}`, hint);
  }
  const reserved = [view.getUint16(6, true), view.getUint32(12, true), view.getUint32(24, true), view.getUint32(28, true)];
  if (reserved.some((value) => value !== 0)) fail('Corrupted bundle preamble', 'reserved fields set to 0', reserved.join(', '));
  const headerLength = view.getUint32(8, true);
  const dataLength = view.getBigUint64(16, true);
  if (headerLength > MAX_HEADER_BYTES || headerLength > bytes.length) fail('Corrupted bundle: header length out of range', `at most ${Math.min(MAX_HEADER_BYTES, bytes.length)} bytes`, `${headerLength}`);
  const dataStart = Math.ceil((PREAMBLE_BYTES + headerLength) / SEGMENT_ALIGNMENT) * SEGMENT_ALIGNMENT;
  const expectedLength = BigInt(dataStart) + dataLength + 4n;
  if (expectedLength !== BigInt(bytes.length)) {
    fail('Truncated or padded bundle', `${expectedLength} bytes (preamble, header, data and checksum)`, `${bytes.length} bytes`, 'The file was cut short or appended to; copy or export it again');
  }
  const stored = view.getUint32(bytes.length - 4, true);
  const actual = crc32(bytes, 0, bytes.length - 4);
  if (stored !== actual) fail('Corrupted bundle: checksum mismatch', `CRC-32 ${stored.toString(16).padStart(8, '0')}`, `${actual.toString(16).padStart(8, '0')}`, 'The file is damaged; copy or export it again');
  for (let i = PREAMBLE_BYTES + headerLength; i < dataStart; i++) if (bytes[i] !== 0) fail('Corrupted bundle: header padding is not zero', 'zero padding', `byte ${i}`);
  return { header: bytes.subarray(PREAMBLE_BYTES, PREAMBLE_BYTES + headerLength), data: bytes.subarray(dataStart, bytes.length - 4), version };
}

function parseHeader(bytes: Uint8Array, version: number): { header: BundleHeader; config: EncoderConfig } {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    throw new BundleError('Corrupted bundle: the header is not UTF-8 JSON', { expected: 'a JSON object', received: String(cause), cause });
  }
  const parsed = bundleHeaderSchema.safeParse(json);
  if (!parsed.success) fail('Corrupted bundle header', `a header matching the .pofa v${version} schema`, parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
  if (parsed.data.version !== version) fail('Corrupted bundle: the header and the preamble disagree on the version', `version ${version}`, `version ${parsed.data.version}`);
  const config = encoderConfigSchema.safeParse(parsed.data.config);
  if (!config.success) fail('Invalid encoder config in the bundle', 'a config matching encoderConfigSchema', config.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
  return { header: parsed.data, config: config.data };
}

function decodeVocab(header: BundleHeader, config: EncoderConfig, data: Uint8Array): string[] | undefined {
  if (header.vocab === undefined) return undefined;
  if (header.vocab.count !== config.vocabSize) fail('The bundle vocabulary does not fit the config', `${config.vocabSize} tokens`, `${header.vocab.count}`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(segmentBytes(data, header.vocab.data, 'the vocabulary'));
  } catch (cause) {
    if (BundleError.isInstance(cause)) throw cause;
    throw new BundleError('Corrupted bundle vocabulary', { expected: 'UTF-8 text', received: String(cause), cause });
  }
  const tokens = text.split('\n');
  if (tokens.length !== header.vocab.count) fail('Corrupted bundle vocabulary', `${header.vocab.count} tokens`, `${tokens.length}`);
  return tokens;
}

/**
 * Parses and validates a `.pofa` bundle from bytes: preamble, length, checksum, header schema,
 * encoder config, the tensor set and shapes against the config, segment bounds, alignment
 * and overlap, then each tensor's coding. Anything wrong is a {@link BundleError}; nothing is
 * built before the whole directory checks out, and no allocation exceeds a budget
 * proportional to the file size.
 *
 * @example
 * ```ts
 * const bundle = parseBundle(new Uint8Array(await readFile('model.pofa')));
 * ```
 */
export function parseBundle(input: Uint8Array): Bundle {
  // A plain view: Buffer's slice() shares memory, Uint8Array's copies.
  const bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  const { header: headerBytes, data, version } = splitFile(bytes);
  const { header, config } = parseHeader(headerBytes, version);
  const entries = checkTensorDirectory(config, header.tensors);
  const segments = entries.flatMap((entry) => entrySegments(entry).map((segment) => ({ ...segment, owner: entry.name })));
  if (header.vocab !== undefined) segments.push({ ...header.vocab.data, owner: 'vocab' });
  for (const segment of segments) segmentBytes(data, segment, segment.owner);
  checkNoOverlap(segments);
  const vocab = decodeVocab(header, config, data);
  const problem = deploymentMismatch(header, config, vocab);
  if (problem !== undefined) fail('Corrupted bundle: the tokenizer or task does not fit the model', 'tokenizer settings with the vocabulary, and a task that fits the head', problem);
  const budget = 256 * bytes.length + (1 << 20);
  const tensors = new Map<string, BundleTensor>();
  for (const entry of entries) {
    tensors.set(entry.name, entry.kind === 'dense' ? { shape: entry.shape, data: decodeDense(entry, data) } : decodePacked(entry, data, budget));
  }
  return {
    version: header.version,
    config,
    ...(vocab === undefined ? {} : { vocab }),
    ...(header.tokenizer === undefined ? {} : { tokenizer: header.tokenizer }),
    ...(header.task === undefined ? {} : { task: header.task }),
    ...(header.quantization === undefined ? {} : { quantization: header.quantization }),
    tensors,
    ...(header.metadata === undefined ? {} : { metadata: header.metadata }),
    entries,
    fileBytes: bytes.length,
  };
}

/** Why a bundle file could not be read, in words, by the system's code. */
const UNREADABLE: Record<string, string> = { ENOENT: 'no such file', EISDIR: 'a folder', EACCES: 'permission denied', ELOOP: 'a loop of symbolic links', ENOTDIR: 'a part of the path is a file, not a folder' };

/**
 * Reads and validates a `.pofa` file (see {@link parseBundle}); an error names the file, then
 * what is wrong and where (`.pofa bundle model.pofa: Corrupted bundle: header length out of range`).
 *
 * @example
 * ```ts
 * const bundle = await readBundle('model.pofa');
 * console.log(bundle.config.numLayers, bundle.tensors.size);
 * ```
 */
export async function readBundle(path: string): Promise<Bundle> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    const code = String((cause as { code?: unknown }).code ?? (cause as Error).message ?? cause);
    const hint = code === 'EISDIR' ? 'Pass the .pofa file: a pofa run keeps its bundles in <run>/bundles/; a Hugging Face directory becomes one with pofa export DIR --format pofa' : 'Check the path';
    throw new BundleError(`Cannot read the .pofa bundle ${path}`, { expected: 'a readable .pofa file', received: UNREADABLE[code] ?? code, hint, cause });
  }
  try {
    return parseBundle(bytes);
  } catch (error) {
    // parseBundle sees bytes only; the error it just made gets the file's name in front.
    if (BundleError.isInstance(error)) error.message = `.pofa bundle ${path}: ${error.message}`;
    throw error;
  }
}
