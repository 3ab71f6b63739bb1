import { beforeAll, describe, expect, it } from 'vitest';
import { SMALL_VOCAB, idOf } from './__fixtures__/small-vocab';
import type { BertTokenizer } from './bert-tokenizer';
import { createWordPieceTokenizer } from './create-word-piece-tokenizer';

let tokenizer: BertTokenizer;

beforeAll(async () => {
  tokenizer = await createWordPieceTokenizer({ vocab: SMALL_VOCAB });
});

describe('BERT uncased rules (expected tokens worked out by hand)', () => {
  it('splits words into greedy longest-match-first wordpieces with ## continuations', async () => {
    expect(await tokenizer.tokenize('unaffable running runs')).toEqual(['un', '##aff', '##able', 'run', '##ning', 'run', '##s']);
  });

  it('lower-cases and strips accents, precomposed or decomposed', async () => {
    expect(await tokenizer.tokenize('UNAFFABLE Café NAÏVE')).toEqual(['un', '##aff', '##able', 'cafe', 'naive']);
    expect(await tokenizer.tokenize('cafe\u0301')).toEqual(['cafe']);
  });

  it('keeps case and accents when asked (cased vocabularies)', async () => {
    const cased = await createWordPieceTokenizer({ vocab: [...SMALL_VOCAB, 'Hello', 'café'], lowercase: false });
    expect(await cased.tokenize('Hello hello café Cafe')).toEqual(['Hello', 'hello', 'café', '[UNK]']);
    const casedNoAccents = await createWordPieceTokenizer({ vocab: [...SMALL_VOCAB, 'Hello'], lowercase: false, stripAccents: true });
    expect(await casedNoAccents.tokenize('Héllo café')).toEqual(['Hello', 'cafe']);
  });

  it('splits on ASCII punctuation and on Unicode punctuation categories', async () => {
    // '"', ',', '!', '?' and '.' are in the vocabulary; '$' (ASCII, not a Unicode P category
    // but punctuation for BERT), '¿' (Po) and '—' (Pd) are split off and unknown.
    expect(await tokenizer.tokenize('"hello",world!?.')).toEqual(['"', 'hello', '"', ',', 'world', '!', '?', '.']);
    expect(await tokenizer.tokenize('hello$world¿the—cat')).toEqual(['hello', '[UNK]', 'world', '[UNK]', 'the', '[UNK]', 'cat']);
  });

  it('surrounds CJK ideographs with spaces but not other scripts', async () => {
    expect(await tokenizer.tokenize('中国人')).toEqual(['中', '国', '人']);
    expect(await tokenizer.tokenize('a中b')).toEqual(['a', '中', 'b']);
    // Hiragana is not in the CJK ideograph ranges: "aのb" stays one word with no match.
    expect(await tokenizer.tokenize('aのb')).toEqual(['[UNK]']);
  });

  it('removes control characters and normalises whitespace', async () => {
    expect(await tokenizer.tokenize('hello\u0007 world\tthe\u00a0cat\r\ndog\ufffd')).toEqual(['hello', 'world', 'the', 'cat', 'dog']);
    // A removed control character joins its neighbours into one (unknown) word.
    expect(await tokenizer.tokenize('the\u0000cat')).toEqual(['[UNK]']);
    expect(await tokenizer.tokenize(' \t\n')).toEqual([]);
  });

  it('maps a word to [UNK] when no prefix matches or when it has more than 100 characters', async () => {
    expect(await tokenizer.tokenize('xyz the')).toEqual(['[UNK]', 'the']);
    // "runx": "run" matches, then "##x" matches; "runz": "##z" is missing, so the whole word is [UNK].
    expect(await tokenizer.tokenize('runx runz')).toEqual(['run', '##x', '[UNK]']);
    const hundred = 'x'.repeat(100);
    expect(await tokenizer.tokenize(hundred)).toEqual(['x', ...Array<string>(99).fill('##x')]);
    expect(await tokenizer.tokenize(`${hundred}x`)).toEqual(['[UNK]']);
  });

  it('keeps special tokens written in the text whole', async () => {
    expect(await tokenizer.tokenize('the [MASK] sat')).toEqual(['the', '[MASK]', 'sat']);
  });

  it('encodes a single text as [CLS] A [SEP]', async () => {
    const encoded = await tokenizer.encode('The cat sat.');
    expect(encoded.tokens).toEqual(['[CLS]', 'the', 'cat', 'sat', '.', '[SEP]']);
    expect(encoded.inputIds).toEqual([2, 5, 29, 31, 18, 3]);
    expect(encoded.tokenTypeIds).toEqual([0, 0, 0, 0, 0, 0]);
    expect(encoded.attentionMask).toEqual([1, 1, 1, 1, 1, 1]);
    expect(encoded.specialTokensMask).toEqual([1, 0, 0, 0, 0, 1]);
    expect(encoded.offsets).toBeUndefined();
    expect(encoded.overflowing).toBeUndefined();
  });

  it('encodes a pair as [CLS] A [SEP] B [SEP] with token types 0 then 1', async () => {
    const encoded = await tokenizer.encode('the cat', 'a dog sat');
    expect(encoded.tokens).toEqual(['[CLS]', 'the', 'cat', '[SEP]', 'a', 'dog', 'sat', '[SEP]']);
    expect(encoded.inputIds).toEqual([2, 5, 29, 3, 24, 30, 31, 3]);
    expect(encoded.tokenTypeIds).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    expect(encoded.attentionMask).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('can leave out the special tokens', async () => {
    const encoded = await tokenizer.encode('the cat', 'a dog', { addSpecialTokens: false });
    expect(encoded.tokens).toEqual(['the', 'cat', 'a', 'dog']);
    expect(encoded.tokenTypeIds).toEqual([0, 0, 1, 1]);
  });

  it('encodes a batch of texts and pairs like one-by-one encoding', async () => {
    const inputs = ['the cat', ['a dog', 'sat on the mat'] as const, 'hello world!'];
    const batch = await tokenizer.encodeBatch(inputs, { returnOffsets: true });
    const single = await Promise.all(
      inputs.map((input) => (typeof input === 'string' ? tokenizer.encode(input, undefined, { returnOffsets: true }) : tokenizer.encode(input[0], input[1], { returnOffsets: true }))),
    );
    expect(batch).toEqual(single);
    const textsOnly = await tokenizer.encodeBatch(['the cat', 'hello'], { padding: 'max_length', maxLength: 5 });
    expect(textsOnly.map((encoded) => encoded.inputIds)).toEqual([
      [2, 5, 29, 3, 0],
      [2, 14, 3, 0, 0],
    ]);
  });

  it('decodes ids, joining ## pieces and dropping spaces before punctuation', () => {
    const ids = ['[CLS]', 'un', '##aff', '##able', ',', 'hello', '!', '[SEP]', '[PAD]'].map(idOf);
    expect(tokenizer.decode(ids, { skipSpecialTokens: true })).toBe('unaffable, hello!');
    expect(tokenizer.decode(ids)).toBe('[CLS] unaffable, hello! [SEP] [PAD]');
    expect(tokenizer.decode([])).toBe('');
    expect(() => tokenizer.decode([SMALL_VOCAB.length])).toThrow(/outside the vocabulary/);
  });

  it('looks tokens and ids up and exposes the special tokens', () => {
    expect(tokenizer.vocabSize).toBe(SMALL_VOCAB.length);
    expect(tokenizer.maxLength).toBe(512);
    expect([tokenizer.padId, tokenizer.unkId, tokenizer.clsId, tokenizer.sepId, tokenizer.maskId]).toEqual([0, 1, 2, 3, 4]);
    expect(tokenizer.specialTokens).toEqual({ pad: '[PAD]', unk: '[UNK]', cls: '[CLS]', sep: '[SEP]', mask: '[MASK]' });
    expect(tokenizer.tokenToId('##able')).toBe(10);
    expect(tokenizer.tokenToId('zebra')).toBeUndefined();
    expect(tokenizer.idToToken(21)).toBe('中');
    expect(tokenizer.idToToken(-1)).toBeUndefined();
    expect(tokenizer.idToToken(1.5)).toBeUndefined();
    expect(tokenizer.getVocab()).toEqual(SMALL_VOCAB);
  });

  it('uses the vocabulary ids wherever the special tokens sit', async () => {
    // BERT's own vocab.txt has [PAD] at 0 and [UNK] [CLS] [SEP] [MASK] at 100..103.
    const shuffled = ['the', 'cat', '[SEP]', '[MASK]', '[CLS]', '[UNK]', '[PAD]'];
    const other = await createWordPieceTokenizer({ vocab: shuffled });
    expect([other.clsId, other.sepId, other.padId, other.maskId, other.unkId]).toEqual([4, 2, 6, 3, 5]);
    const encoded = await other.encode('the dog', undefined, { padding: 'max_length', maxLength: 6 });
    expect(encoded.inputIds).toEqual([4, 0, 5, 2, 6, 6]);
  });
});
