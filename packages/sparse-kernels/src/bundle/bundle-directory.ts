import { BundleError } from './bundle-error';
import type { Segment, TensorEntry } from './bundle-header';
import type { EncoderConfig } from './encoder-config';
import { EMBEDDING_NAMES, encoderTensorShapes } from './encoder-tensors';

const EMBEDDINGS = new Set<string>([EMBEDDING_NAMES.words, EMBEDDING_NAMES.positions, EMBEDDING_NAMES.tokenTypes]);

/**
 * Checks a tensor directory against the config: exactly the parameters the encoder has, each
 * once, each with its shape; packed only for 2-D Linear weights (embeddings stay dense).
 * Returns the entries in the config's canonical order.
 *
 * @example
 * ```ts
 * const ordered = checkTensorDirectory(config, header.tensors);
 * ```
 */
export function checkTensorDirectory<Entry extends Pick<TensorEntry, 'name' | 'kind' | 'shape'>>(config: EncoderConfig, entries: readonly Entry[]): Entry[] {
  const expected = encoderTensorShapes(config);
  const byName = new Map<string, Entry>();
  for (const entry of entries) {
    if (byName.has(entry.name)) throw new BundleError('A tensor appears twice in the bundle', { expected: 'unique tensor names', received: `"${entry.name}" twice` });
    byName.set(entry.name, entry);
  }
  const unknown = entries.filter((entry) => !expected.has(entry.name)).map((entry) => entry.name);
  const missing = [...expected.keys()].filter((name) => !byName.has(name));
  if (unknown.length > 0 || missing.length > 0) {
    throw new BundleError('The bundle tensors do not match the encoder config', {
      expected: `the ${expected.size} parameters of a ${config.numLayers}-layer ${config.family} (${config.task})`,
      received: `${missing.length > 0 ? `missing ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', ...' : ''}` : ''}${unknown.length > 0 ? ` unknown ${unknown.slice(0, 3).join(', ')}` : ''}`,
      hint: 'Export every parameter of the model, with names as model.namedParameters() gives them',
    });
  }
  const ordered: Entry[] = [];
  for (const [name, shape] of expected) {
    const entry = byName.get(name) as Entry;
    if (entry.shape.length !== shape.length || entry.shape.some((d, i) => d !== shape[i])) {
      throw new BundleError(`Tensor "${name}" has the wrong shape for the config`, { expected: `[${shape.join(', ')}]`, received: `[${entry.shape.join(', ')}]` });
    }
    if (entry.kind === 'packed' && (shape.length !== 2 || EMBEDDINGS.has(name) || !name.endsWith('.weight'))) {
      throw new BundleError(`Tensor "${name}" cannot be packed`, { expected: 'packed formats for 2-D Linear weights only', received: 'a packed entry', hint: 'Store embeddings, LayerNorm and biases dense' });
    }
    ordered.push(entry);
  }
  return ordered;
}

/** The segments an entry occupies. */
export function entrySegments(entry: TensorEntry): Segment[] {
  if (entry.kind === 'dense') return [entry.data];
  const segments: Segment[] = [entry.values.data];
  if (entry.values.coding === 'huffman') segments.push(entry.values.lengths);
  if (entry.mask.coding !== 'full') segments.push(entry.mask.data);
  if (entry.positions !== undefined) segments.push(entry.positions);
  if (entry.scales !== undefined) segments.push(entry.scales);
  return segments;
}

/** Checks that no two segments overlap (each byte of the data section belongs to one owner). */
export function checkNoOverlap(segments: Array<Segment & { owner: string }>): void {
  const sorted = segments.filter((s) => s.length > 0).sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].offset < sorted[i - 1].offset + sorted[i - 1].length) {
      throw new BundleError('Corrupted bundle: two segments overlap', {
        expected: 'disjoint segments',
        received: `${sorted[i - 1].owner} and ${sorted[i].owner} at byte ${sorted[i].offset}`,
      });
    }
  }
}
