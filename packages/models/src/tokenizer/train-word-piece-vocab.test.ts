import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@pofa/core';
import { createWordPieceTokenizer } from './create-word-piece-tokenizer';
import { DEFAULT_SPECIAL_TOKENS } from './special-tokens';
import { TokenizerError } from './tokenizer-error';
import { trainWordPieceVocab } from './train-word-piece-vocab';

const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
// The opening paragraphs of Moby-Dick (public domain), about 2 kB.
const CORPUS = readFileSync(new URL('./__fixtures__/moby-dick-opening.txt', import.meta.url), 'utf8').split('\n').filter(Boolean);

describe('trainWordPieceVocab on a corpus worked out by hand', () => {
  // Words: "low" x2, "lower" x1 → symbols [l ##o ##w] and [l ##o ##w ##e ##r].
  // Base: specials, alphabet e l o r w (ids 5-9), continuations ##e ##o ##r ##w (10-13).
  // Pair counts: (l,##o) 3, (##o,##w) 3, (##w,##e) 1, (##e,##r) 1 → tie, smaller ids (6,11)
  // first → "lo"; then (lo,##w) 3 → "low"; the rest occur once.
  const base = [...SPECIALS, 'e', 'l', 'o', 'r', 'w', '##e', '##o', '##r', '##w'];

  it('merges the most frequent pairs and stops at minFrequency with fewer tokens than asked', () => {
    expect(trainWordPieceVocab(['low LOW lower'], { vocabSize: 30, minFrequency: 2 })).toEqual([...base, 'lo', 'low']);
  });

  it('with minFrequency 1 goes on: (##e,##r) beats (low,##e) on ids, then "lower", then no pairs remain', () => {
    expect(trainWordPieceVocab(['low LOW lower'], { vocabSize: 30, minFrequency: 1 })).toEqual([...base, 'lo', 'low', '##er', 'lower']);
  });

  it('stops at exactly vocabSize', () => {
    expect(trainWordPieceVocab(['low LOW lower'], { vocabSize: 15, minFrequency: 1 })).toEqual([...base, 'lo']);
  });

  it('fails when vocabSize cannot hold the special tokens and the alphabet', () => {
    const error = (() => {
      try {
        return trainWordPieceVocab(['low lower'], { vocabSize: 10 });
      } catch (caught) {
        return caught;
      }
    })() as TokenizerError;
    expect(error).toBeInstanceOf(TokenizerError);
    expect(error.expected).toMatch(/vocabSize >= 14/);
  });

  it('sees words as the BERT pipeline does: lower-cased, accents stripped, CJK split, punctuation apart', () => {
    const vocab = trainWordPieceVocab(['Café 中国!'], { vocabSize: 100, minFrequency: 1, specialTokens: [] });
    // Words "cafe", "中", "国", "!": alphabet by code point, then ##a ##e ##f, then merges.
    expect(vocab.slice(0, 9)).toEqual(['!', 'a', 'c', 'e', 'f', '中', '国', '##a', '##e']);
    expect(vocab).toContain('cafe');
    expect(vocab).not.toContain('é');
  });

  it('validates its options and input', () => {
    expect(() => trainWordPieceVocab(['a'], { vocabSize: 0 })).toThrow(ConfigError);
    expect(() => trainWordPieceVocab(['a'], { vocabSize: 10, minFrequence: 2 } as never)).toThrow(/minFrequence/);
    expect(() => trainWordPieceVocab('just a string' as never, { vocabSize: 10 })).toThrow(/iterable of texts/);
    expect(() => trainWordPieceVocab(['ok', 7] as never, { vocabSize: 10 })).toThrow(/text 1/);
  });
});

describe('trainWordPieceVocab on real text', () => {
  const vocab = trainWordPieceVocab(CORPUS, { vocabSize: 200, minFrequency: 2 });

  it('starts with the special tokens and reaches the requested size', () => {
    expect(vocab.slice(0, 5)).toEqual([...DEFAULT_SPECIAL_TOKENS]);
    expect(vocab).toHaveLength(200);
    expect(new Set(vocab).size).toBe(vocab.length);
  });

  it('returns fewer tokens than asked when no pair occurs minFrequency times, and extends the same merge order', () => {
    const large = trainWordPieceVocab(CORPUS, { vocabSize: 2000, minFrequency: 2 });
    expect(large.length).toBeGreaterThan(200);
    expect(large.length).toBeLessThan(2000);
    // Merges come in the same order whatever the target size: the smaller vocabulary is a prefix.
    expect(large.slice(0, 200)).toEqual(vocab);
    // Lowering minFrequency lets training go on past the point where it stopped.
    expect(trainWordPieceVocab(CORPUS, { vocabSize: 2000, minFrequency: 1 }).length).toBeGreaterThan(large.length);
  });

  it('contains the frequent words as whole tokens', () => {
    for (const word of ['the', 'of', 'and', 'to', 'is', 'some', 'upon', 'whenever']) expect(vocab).toContain(word);
  });

  it('is deterministic, whatever the iterable', () => {
    function* lines(): Generator<string> {
      yield* CORPUS;
    }
    expect(trainWordPieceVocab(lines(), { vocabSize: 200, minFrequency: 2 })).toEqual(vocab);
  });

  it('tokenizes its training text without [UNK] and with far fewer pieces than characters', async () => {
    const tokenizer = await createWordPieceTokenizer({ vocab });
    const text = CORPUS.join(' ');
    const pieces = await tokenizer.tokenize(text);
    expect(pieces.filter((piece) => piece === '[UNK]')).toHaveLength(0);
    const letters = text.replace(/\s/g, '').length;
    expect(pieces.length).toBeLessThan(letters * 0.6);
    expect(await tokenizer.tokenize('Whenever THE')).toEqual(['whenever', 'the']);
  });

  it('limitAlphabet drops the rarest characters, which then become [UNK]', async () => {
    const limited = trainWordPieceVocab(CORPUS, { vocabSize: 200, minFrequency: 2, limitAlphabet: 26 });
    // The corpus has more than 26 distinct characters (letters and punctuation): the alphabet
    // keeps the 26 most frequent (ids 5-30), then come the ## forms.
    expect([...limited.slice(5, 31)].every((token) => [...token].length === 1)).toBe(true);
    expect(limited[31].startsWith('##')).toBe(true);
    const tokenizer = await createWordPieceTokenizer({ vocab: limited });
    const pieces = await tokenizer.tokenize(CORPUS.join(' '));
    const unknown = pieces.filter((piece) => piece === '[UNK]').length;
    expect(unknown).toBeGreaterThan(0);
    expect(unknown).toBeLessThan(pieces.length / 10);
  });
});
