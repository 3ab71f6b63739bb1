import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '@pofa/core';
import { SMALL_VOCAB } from './__fixtures__/small-vocab';
import type { BertTokenizer } from './bert-tokenizer';
import { createWordPieceTokenizer } from './create-word-piece-tokenizer';
import { TokenizerError } from './tokenizer-error';

let tokenizer: BertTokenizer;

beforeAll(async () => {
  tokenizer = await createWordPieceTokenizer({ vocab: SMALL_VOCAB, maxLength: 16 });
});

function sliceAll(text: string, offsets: Array<[number, number]>): string[] {
  return offsets.map(([start, end]) => text.slice(start, end));
}

describe('truncation (maxLength counts [CLS] and [SEP]s)', () => {
  // A = "a b c" (3 tokens), B = "the cat sat on" (4 tokens), maxLength 8 leaves 8 - 3 = 5 for text.
  const first = 'a b c';
  const second = 'the cat sat on';

  it('longest_first: both over half of the room, so A keeps floor(5/2) = 2 and B the other 3', async () => {
    const encoded = await tokenizer.encode(first, second, { maxLength: 8, truncation: 'longest_first' });
    expect(encoded.tokens).toEqual(['[CLS]', 'a', 'b', '[SEP]', 'the', 'cat', 'sat', '[SEP]']);
    expect(encoded.tokenTypeIds).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
  });

  it('longest_first: a short sequence stays whole and the long one takes the rest', async () => {
    // A = 1 token, B = 4 tokens, room 4: B keeps 4 - 1 = 3.
    const encoded = await tokenizer.encode('a', second, { maxLength: 7 });
    expect(encoded.tokens).toEqual(['[CLS]', 'a', '[SEP]', 'the', 'cat', 'sat', '[SEP]']);
  });

  it('only_first: A loses 3 + 4 - 5 = 2 tokens, B is untouched', async () => {
    const encoded = await tokenizer.encode(first, second, { maxLength: 8, truncation: 'only_first' });
    expect(encoded.tokens).toEqual(['[CLS]', 'a', '[SEP]', 'the', 'cat', 'sat', 'on', '[SEP]']);
  });

  it('only_second: B loses 2 tokens, A is untouched', async () => {
    const encoded = await tokenizer.encode(first, second, { maxLength: 8, truncation: 'only_second' });
    expect(encoded.tokens).toEqual(['[CLS]', 'a', 'b', 'c', '[SEP]', 'the', 'cat', '[SEP]']);
  });

  it('false: nothing is cut, even past maxLength', async () => {
    const encoded = await tokenizer.encode(first, second, { maxLength: 8, truncation: false });
    expect(encoded.inputIds).toHaveLength(10);
    expect(encoded.overflowing).toBeUndefined();
  });

  it('the tokenizer maxLength is the default', async () => {
    const encoded = await tokenizer.encode('a '.repeat(20));
    expect(encoded.tokens).toEqual(['[CLS]', ...Array<string>(14).fill('a'), '[SEP]']);
    expect(encoded.overflowing?.map((window) => window.tokens)).toEqual([['[CLS]', ...Array<string>(6).fill('a'), '[SEP]']]);
  });

  it('returns the cut-off windows of a single text as overflowing encodings', async () => {
    const encoded = await tokenizer.encode('a b c the cat sat', undefined, { maxLength: 4, returnOffsets: true });
    expect(encoded.tokens).toEqual(['[CLS]', 'a', 'b', '[SEP]']);
    expect(encoded.overflowing?.map((window) => window.tokens)).toEqual([
      ['[CLS]', 'c', 'the', '[SEP]'],
      ['[CLS]', 'cat', 'sat', '[SEP]'],
    ]);
    expect(encoded.overflowing?.[1].offsets).toEqual([
      [0, 0],
      [10, 13],
      [14, 17],
      [0, 0],
    ]);
  });

  it('only_second windows keep the first text whole in each window, with token types 0 then 1', async () => {
    // Room 7 - 3 = 4: "a b" keeps 2, "the cat sat on the mat" (6) is cut into 2 + 2 + 2.
    const encoded = await tokenizer.encode('a b', 'the cat sat on the mat', { maxLength: 7, truncation: 'only_second', returnOffsets: true });
    const windows = [encoded, ...(encoded.overflowing ?? [])];
    expect(windows.map((window) => window.tokens)).toEqual([
      ['[CLS]', 'a', 'b', '[SEP]', 'the', 'cat', '[SEP]'],
      ['[CLS]', 'a', 'b', '[SEP]', 'sat', 'on', '[SEP]'],
      ['[CLS]', 'a', 'b', '[SEP]', 'the', 'mat', '[SEP]'],
    ]);
    for (const window of windows) expect(window.tokenTypeIds).toEqual([0, 0, 0, 0, 1, 1, 1]);
    expect(windows[2].offsets?.slice(4, 6)).toEqual([
      [15, 18],
      [19, 22],
    ]);
  });

  it('longest_first cutting both texts pairs every window of the first with every window of the second', async () => {
    // Room 7 - 3 = 4: each text keeps 2 tokens; "a b c" gives [a b][c], "the cat sat" [the cat][sat].
    const encoded = await tokenizer.encode('a b c', 'the cat sat', { maxLength: 7 });
    expect([encoded, ...(encoded.overflowing ?? [])].map((window) => window.tokens.join(' '))).toEqual([
      '[CLS] a b [SEP] the cat [SEP]',
      '[CLS] a b [SEP] sat [SEP]',
      '[CLS] c [SEP] the cat [SEP]',
      '[CLS] c [SEP] sat [SEP]',
    ]);
  });

  it('only_first / only_second fail with a TokenizerError when the other text alone is too long', async () => {
    await expect(tokenizer.encode(first, second, { maxLength: 6, truncation: 'only_first' })).rejects.toThrow(TokenizerError);
    await expect(tokenizer.encode(second, first, { maxLength: 6, truncation: 'only_second' })).rejects.toThrow(/only_second/);
  });

  it('rejects a maxLength with no room for text, and invalid options', async () => {
    await expect(tokenizer.encode('a', 'b', { maxLength: 3 })).rejects.toThrow(/maxLength >= 5/);
    await expect(tokenizer.encode('a', undefined, { maxLength: 2 })).rejects.toThrow(TokenizerError);
    await expect(tokenizer.encode('a', undefined, { truncation: 'sideways' as never })).rejects.toThrow(ConfigError);
    await expect(tokenizer.encode(42 as unknown as string)).rejects.toThrow(/expected a string/);
    await expect(createWordPieceTokenizer({ vocab: SMALL_VOCAB, maxLength: 2 })).rejects.toThrow(ConfigError);
  });
});

describe('padding', () => {
  it('pads to maxLength with [PAD], attention 0, token type 0 and offsets [0, 0]', async () => {
    const encoded = await tokenizer.encode('the cat', 'a', { maxLength: 8, padding: 'max_length', returnOffsets: true });
    expect(encoded.tokens).toEqual(['[CLS]', 'the', 'cat', '[SEP]', 'a', '[SEP]', '[PAD]', '[PAD]']);
    expect(encoded.inputIds).toEqual([2, 5, 29, 3, 24, 3, 0, 0]);
    expect(encoded.attentionMask).toEqual([1, 1, 1, 1, 1, 1, 0, 0]);
    expect(encoded.tokenTypeIds).toEqual([0, 0, 0, 0, 1, 1, 0, 0]);
    expect(encoded.offsets?.slice(6)).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });

  it('truncates and pads the overflowing windows too', async () => {
    const encoded = await tokenizer.encode('a b c', undefined, { maxLength: 4, padding: 'max_length' });
    expect(encoded.tokens).toEqual(['[CLS]', 'a', 'b', '[SEP]']);
    expect(encoded.overflowing?.map((window) => window.tokens)).toEqual([['[CLS]', 'c', '[SEP]', '[PAD]']]);
  });
});

describe('offsets into the original text', () => {
  it('point at the source of each token, before lower-casing and accent stripping', async () => {
    const text = 'HÉLLO, Wörld! Unaffable';
    const encoded = await tokenizer.encode(text, undefined, { returnOffsets: true });
    expect(encoded.tokens).toEqual(['[CLS]', 'hello', ',', 'world', '!', 'un', '##aff', '##able', '[SEP]']);
    expect(encoded.offsets).toEqual([
      [0, 0],
      [0, 5],
      [5, 6],
      [7, 12],
      [12, 13],
      [14, 16],
      [16, 19],
      [19, 23],
      [0, 0],
    ]);
    expect(sliceAll(text, encoded.offsets?.slice(1, -1) ?? [])).toEqual(['HÉLLO', ',', 'Wörld', '!', 'Un', 'aff', 'able']);
  });

  it('are UTF-16 indices past astral characters, CJK and control characters', async () => {
    const text = '😀 hello\u0007 中国 [MASK] 𝒳 cat';
    const { ids, offsets } = await tokenizer.tokenizeWithOffsets(text);
    expect(ids.map((id) => SMALL_VOCAB[id])).toEqual(['[UNK]', 'hello', '中', '国', '[MASK]', '[UNK]', 'cat']);
    expect(sliceAll(text, offsets)).toEqual(['😀', 'hello', '中', '国', '[MASK]', '𝒳', 'cat']);
    expect(offsets[1]).toEqual([3, 8]);
  });

  it('of the second text of a pair index into that text', async () => {
    const text = 'the cat';
    const pair = 'A   DOG sat';
    const encoded = await tokenizer.encode(text, pair, { returnOffsets: true });
    expect(encoded.offsets).toEqual([
      [0, 0],
      [0, 3],
      [4, 7],
      [0, 0],
      [0, 1],
      [4, 7],
      [8, 11],
      [0, 0],
    ]);
    expect(sliceAll(pair, encoded.offsets?.slice(4, 7) ?? [])).toEqual(['A', 'DOG', 'sat']);
  });

  it('tokenizeWithOffsets adds no special tokens and never truncates', async () => {
    const { ids, offsets } = await tokenizer.tokenizeWithOffsets('Unaffable cat');
    expect(ids).toEqual([8, 9, 10, 29]);
    expect(offsets).toEqual([
      [0, 2],
      [2, 5],
      [5, 9],
      [10, 13],
    ]);
    const long = await tokenizer.tokenizeWithOffsets('a '.repeat(40));
    expect(long.ids).toHaveLength(40);
  });
});
