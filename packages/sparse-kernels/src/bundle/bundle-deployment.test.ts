import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { smallConfig, smallContents } from './__fixtures__/small-encoder';
import type { BundleTask, BundleTokenizer } from './bundle-deployment';
import { BundleError } from './bundle-error';
import { crc32 } from './crc32';
import { parseBundle, readBundle } from './read-bundle';
import { serializeBundle } from './write-bundle';

const TOKENIZER: BundleTokenizer = {
  kind: 'wordpiece',
  lowercase: true,
  stripAccents: false,
  maxLength: 16,
  maxInputCharsPerWord: 100,
  specialTokens: { pad: '[PAD]', unk: '[UNK]', cls: '[CLS]', sep: '[SEP]', mask: '[MASK]' },
};
const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...Array.from({ length: 15 }, (_, i) => `word${i}`)];
const LABELS: BundleTask = { kind: 'classification', name: 'sotu-party', labels: ['Democratic', 'Republican', 'Whig'] };

function contents(overrides: object = {}) {
  return { ...smallContents(smallConfig(), 7), vocab: VOCAB, tokenizer: TOKENIZER, task: LABELS, ...overrides };
}

/** The BundleError `run` throws. */
function bundleError(run: () => unknown): BundleError {
  try {
    run();
  } catch (error) {
    if (BundleError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a BundleError');
}

/** `bytes` with its JSON header rewritten by `edit` (same length) and the checksum redone. */
function withHeader(bytes: Uint8Array, edit: (header: string) => string): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(8, true);
  const header = new TextDecoder().decode(bytes.subarray(32, 32 + length));
  const edited = new TextEncoder().encode(edit(header));
  expect(edited.length).toBe(length);
  const copy = bytes.slice();
  copy.set(edited, 32);
  new DataView(copy.buffer).setUint32(copy.length - 4, crc32(copy, 0, copy.length - 4), true);
  return copy;
}

describe('.pofa version 2: tokenizer and task', () => {
  it('round-trips the tokenizer settings and every task kind', () => {
    const bundle = parseBundle(serializeBundle(contents()));
    expect(bundle.version).toBe(2);
    expect(bundle.tokenizer).toEqual(TOKENIZER);
    expect(bundle.task).toEqual(LABELS);
    expect(bundle.vocab).toEqual(VOCAB);
    const regression: BundleTask = { kind: 'regression', name: 'sotu-year', labelScale: { mean: 1900, std: 60 } };
    expect(parseBundle(serializeBundle(contents({ ...smallContents(smallConfig({ numLabels: 1 }), 7), task: regression }))).task).toEqual(regression);
    const span: BundleTask = { kind: 'span', name: 'squad', docStride: 4, maxQueryLength: 6, maxAnswerLength: 5 };
    const qa = smallConfig({ task: 'question-answering', numLabels: 2, pooler: false });
    expect(parseBundle(serializeBundle({ ...smallContents(qa, 7), vocab: VOCAB, tokenizer: TOKENIZER, task: span })).task).toEqual(span);
  });

  it('refuses to write a task that does not fit the head, or a tokenizer without its vocabulary', () => {
    const twoLabels = bundleError(() => serializeBundle(contents({ task: { kind: 'classification', labels: ['a', 'b'] } })));
    expect(twoLabels.received).toBe('2 label names for a head of 3 outputs');
    expect(bundleError(() => serializeBundle(contents({ task: { kind: 'span', docStride: 1, maxQueryLength: 2, maxAnswerLength: 3 } }))).received).toMatch(/needs a question-answering head/);
    expect(bundleError(() => serializeBundle(contents({ task: { kind: 'regression' } }))).received).toMatch(/regression needs 1 head output/);
    expect(bundleError(() => serializeBundle(contents({ vocab: undefined }))).received).toBe('tokenizer settings without a vocabulary');
    const noMask = VOCAB.map((token) => (token === '[MASK]' ? 'mask' : token));
    expect(bundleError(() => serializeBundle(contents({ vocab: noMask }))).received).toBe('the special tokens [MASK] are not in the vocabulary');
  });

  it('loads a version 1 file written before the tokenizer and task existed', async () => {
    // Written by the version 1 writer (smallContents(smallConfig(), 3, { vocab: true, int8: true })).
    const bundle = await readBundle(new URL('./__fixtures__/v1-small.pofa', import.meta.url).pathname);
    expect(bundle.version).toBe(1);
    expect(bundle.tokenizer).toBeUndefined();
    expect(bundle.task).toBeUndefined();
    expect(bundle.metadata).toEqual({ writer: 'pofa .pofa v1' });
    const expected = smallContents(smallConfig(), 3, { vocab: true, int8: true });
    expect(bundle.vocab).toEqual(expected.vocab);
    expect(bundle.tensors.get('classifier.weight')).toEqual((expected.tensors as Map<string, unknown>).get('classifier.weight'));
  });

  it('rejects an unknown version, a version 1 header with a task, and a header that disagrees with the preamble', async () => {
    const bytes = serializeBundle(contents());
    const future = bytes.slice();
    future[4] = 7;
    new DataView(future.buffer).setUint32(future.length - 4, crc32(future, 0, future.length - 4), true);
    const unknown = bundleError(() => parseBundle(future));
    expect(unknown.message).toMatch(/^Unsupported .pofa version/);
    expect(unknown.expected).toBe('version 1 or 2');
    expect(unknown.received).toBe('version 7');
    expect(unknown.hint).toMatch(/upgrade/);
    const oldWithTask = withHeader(bytes, (header) => header.replace('"version":2', '"version":1'));
    oldWithTask[4] = 1;
    new DataView(oldWithTask.buffer).setUint32(oldWithTask.length - 4, crc32(oldWithTask, 0, oldWithTask.length - 4), true);
    expect(bundleError(() => parseBundle(oldWithTask)).received).toMatch(/a version 1 header has no tokenizer or task/);
    const disagree = withHeader(new Uint8Array(await readFile(new URL('./__fixtures__/v1-small.pofa', import.meta.url))), (header) => header.replace('"version":1', '"version":2'));
    expect(bundleError(() => parseBundle(disagree)).message).toMatch(/disagree on the version/);
  });
});
