import { writeFileAtomic } from '@pofa/core';
import { deploymentMismatch } from './bundle-deployment';
import { BundleError } from './bundle-error';
import { BUNDLE_MAGIC, BUNDLE_VERSION, PREAMBLE_BYTES, SEGMENT_ALIGNMENT, quantizationSchema, type BundleHeader, type TensorEntry } from './bundle-header';
import { checkTensorDirectory } from './bundle-directory';
import { isPackedWeight, type BundleContents, type BundleTensor } from './bundle-types';
import { crc32 } from './crc32';
import { encodeDense, encodePacked } from './encode-tensor';
import { encoderConfigSchema, type EncoderConfig } from './encoder-config';
import { SegmentSink } from './segment-sink';

function validConfig(config: unknown): EncoderConfig {
  const parsed = encoderConfigSchema.safeParse(config);
  if (!parsed.success) {
    throw new BundleError('Invalid encoder config for the bundle', {
      expected: 'a config matching encoderConfigSchema',
      received: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
    });
  }
  return parsed.data;
}

function encodeVocab(vocab: readonly string[], config: EncoderConfig, sink: SegmentSink): NonNullable<BundleHeader['vocab']> {
  if (vocab.length !== config.vocabSize || vocab.some((token) => typeof token !== 'string' || token.includes('\n'))) {
    throw new BundleError('Invalid tokenizer vocabulary for the bundle', {
      expected: `${config.vocabSize} tokens (vocabSize), none containing a newline`,
      received: `${vocab.length} entries`,
    });
  }
  return { count: vocab.length, data: sink.add(new TextEncoder().encode(vocab.join('\n'))) };
}

/**
 * Serialises a bundle to bytes (see the README's "The .pofa format"): the 32-byte preamble,
 * the JSON header, the 64-byte-aligned data section, and a CRC-32 of everything before it.
 * Validates the config, the tensor set and shapes against it, and every packed weight.
 *
 * @example
 * ```ts
 * const bytes = serializeBundle({ config, tensors: { 'encoder.layer.0.attention.self.query.weight': packed, ... } });
 * ```
 */
export function serializeBundle(contents: BundleContents): Uint8Array {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new BundleError('Bundles need a little-endian machine', { expected: 'little-endian', received: 'big-endian' });
  const config = validConfig(contents.config);
  const tensors = contents.tensors instanceof Map ? contents.tensors : new Map(Object.entries(contents.tensors as Record<string, BundleTensor>));
  const directory = [...tensors].map(([name, tensor]) => ({ name, kind: isPackedWeight(tensor) ? ('packed' as const) : ('dense' as const), shape: isPackedWeight(tensor) ? [tensor.rows, tensor.cols] : tensor.shape, tensor }));
  const ordered = checkTensorDirectory(config, directory);
  const sink = new SegmentSink();
  const vocab = contents.vocab === undefined ? undefined : encodeVocab(contents.vocab, config, sink);
  const entries: TensorEntry[] = ordered.map(({ name, tensor }) => (isPackedWeight(tensor) ? encodePacked(name, tensor, sink) : encodeDense(name, tensor.shape, tensor.data, sink)));
  if (contents.quantization !== undefined && !quantizationSchema.safeParse(contents.quantization).success) {
    throw new BundleError('Invalid quantization record', { expected: "{ weights: { bits: 8, symmetric: true, granularity: 'per-row' }, activations? }", received: JSON.stringify(contents.quantization) });
  }
  const problem = deploymentMismatch(contents, config, contents.vocab);
  if (problem !== undefined) {
    throw new BundleError('The tokenizer or task does not fit the bundle', {
      expected: 'tokenizer settings with the vocabulary, and a task that fits the head',
      received: problem,
      hint: 'Pass the vocabulary (tokenizerVocab) with the tokenizer, and the task of the model\'s head',
    });
  }
  const header: BundleHeader = {
    format: 'pofa-bundle',
    version: BUNDLE_VERSION,
    config: config as unknown as Record<string, unknown>,
    ...(vocab === undefined ? {} : { vocab }),
    ...(contents.tokenizer === undefined ? {} : { tokenizer: contents.tokenizer }),
    ...(contents.task === undefined ? {} : { task: contents.task }),
    ...(contents.quantization === undefined ? {} : { quantization: contents.quantization }),
    tensors: entries,
    ...(contents.metadata === undefined ? {} : { metadata: contents.metadata }),
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = Math.ceil((PREAMBLE_BYTES + headerBytes.length) / SEGMENT_ALIGNMENT) * SEGMENT_ALIGNMENT;
  const total = dataStart + sink.length + 4;
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode(BUNDLE_MAGIC), 0);
  view.setUint16(4, BUNDLE_VERSION, true);
  view.setUint32(8, headerBytes.length, true);
  view.setBigUint64(16, BigInt(sink.length), true);
  bytes.set(headerBytes, PREAMBLE_BYTES);
  sink.copyInto(bytes, dataStart);
  view.setUint32(total - 4, crc32(bytes, 0, total - 4), true);
  return bytes;
}

/**
 * Writes a `.pofa` bundle atomically (a temporary file renamed over `path`) and returns its
 * size in bytes.
 *
 * @example
 * ```ts
 * const bytes = await writeBundle('model.pofa', { config, vocab, tensors });
 * ```
 */
export async function writeBundle(path: string, contents: BundleContents): Promise<number> {
  const bytes = serializeBundle(contents);
  await writeFileAtomic(path, bytes);
  return bytes.length;
}
