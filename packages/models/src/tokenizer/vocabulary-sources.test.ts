import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, PofaError } from '@pofa/core';
import { SMALL_VOCAB } from './__fixtures__/small-vocab';
import { createWordPieceTokenizer } from './create-word-piece-tokenizer';
import { TokenizerError } from './tokenizer-error';
import { loadVocab, readTokenizerJson, saveVocab } from './vocab-file';

let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'pofa-vocab-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('vocab.txt', () => {
  it('saves one token per line and loads the same tokens back', async () => {
    const path = join(directory, 'nested', 'vocab.txt');
    await saveVocab(path, SMALL_VOCAB);
    const text = await readFile(path, 'utf8');
    expect(text.split('\n').slice(0, 3)).toEqual(['[PAD]', '[UNK]', '[CLS]']);
    expect(text.endsWith('mat\n')).toBe(true);
    expect(await loadVocab(path)).toEqual(SMALL_VOCAB);
  });

  it('reads CRLF files and files without a final newline', async () => {
    const path = join(directory, 'crlf.txt');
    await writeFile(path, '[PAD]\r\n[UNK]\r\nthe');
    expect(await loadVocab(path)).toEqual(['[PAD]', '[UNK]', 'the']);
  });

  it('builds a tokenizer from a vocab.txt path', async () => {
    const path = join(directory, 'vocab.txt');
    await saveVocab(path, SMALL_VOCAB);
    const tokenizer = await createWordPieceTokenizer({ vocab: path });
    expect((await tokenizer.encode('Unaffable cat')).inputIds).toEqual([2, 8, 9, 10, 29, 3]);
  });

  it('refuses tokens that cannot be written one per line', async () => {
    await expect(saveVocab(join(directory, 'bad.txt'), ['[PAD]', 'a\nb'])).rejects.toThrow(TokenizerError);
  });
});

describe('tokenizer.json', () => {
  function tokenizerJson(lowercase: boolean): string {
    const vocab = Object.fromEntries(SMALL_VOCAB.slice(0, -1).map((token, id) => [token, id]));
    return JSON.stringify({
      version: '1.0',
      added_tokens: [{ id: SMALL_VOCAB.length - 1, content: SMALL_VOCAB[SMALL_VOCAB.length - 1], special: false }],
      normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase },
      pre_tokenizer: { type: 'BertPreTokenizer' },
      model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
    });
  }

  it('reads the model vocabulary plus added tokens, in id order, and the normalizer flags', async () => {
    const path = join(directory, 'tokenizer.json');
    await writeFile(path, tokenizerJson(false));
    const contents = await readTokenizerJson(path);
    expect(contents.vocab).toEqual(SMALL_VOCAB);
    expect(contents.lowercase).toBe(false);
    expect(contents.stripAccents).toBeUndefined();
  });

  it('takes lowercase from the file unless the options say otherwise', async () => {
    const path = join(directory, 'cased.json');
    await writeFile(path, tokenizerJson(false));
    const cased = await createWordPieceTokenizer({ vocab: path });
    expect(await cased.tokenize('The the')).toEqual(['[UNK]', 'the']);
    const uncased = await createWordPieceTokenizer({ vocab: path, lowercase: true });
    expect(await uncased.tokenize('The the')).toEqual(['the', 'the']);
  });

  it('rejects a tokenizer.json that is not WordPiece or has gaps in its ids', async () => {
    const bpe = join(directory, 'bpe.json');
    await writeFile(bpe, JSON.stringify({ model: { type: 'BPE', vocab: {}, merges: [] } }));
    await expect(createWordPieceTokenizer({ vocab: bpe })).rejects.toThrow(/not a WordPiece tokenizer/);
    const gaps = join(directory, 'gaps.json');
    await writeFile(gaps, JSON.stringify({ model: { type: 'WordPiece', vocab: { '[PAD]': 0, '[UNK]': 2 } } }));
    await expect(createWordPieceTokenizer({ vocab: gaps })).rejects.toThrow(/no token for id 1/);
    const broken = join(directory, 'broken.json');
    await writeFile(broken, '{"model": ');
    await expect(createWordPieceTokenizer({ vocab: broken })).rejects.toThrow(/invalid JSON/);
  });
});

describe('bad vocabularies', () => {
  it('an empty vocabulary', async () => {
    const error = await createWordPieceTokenizer({ vocab: [] }).catch((caught: unknown) => caught);
    expect(TokenizerError.isInstance(error)).toBe(true);
    expect(PofaError.isInstance(error)).toBe(true);
    expect(String(error)).toMatch(/empty/);
    const empty = join(directory, 'empty.txt');
    await writeFile(empty, '');
    await expect(createWordPieceTokenizer({ vocab: empty })).rejects.toThrow(/empty/);
  });

  it('a vocabulary without some special tokens names each missing one', async () => {
    const withoutTwo = SMALL_VOCAB.filter((token) => token !== '[MASK]' && token !== '[UNK]');
    const error = (await createWordPieceTokenizer({ vocab: withoutTwo }).catch((caught: unknown) => caught)) as TokenizerError;
    expect(error).toBeInstanceOf(TokenizerError);
    expect(error.message).toContain('lacks the special tokens [UNK] [MASK]:');
    expect(error.received).toBe(`${withoutTwo.length} tokens without [UNK], [MASK]`);
  });

  it('a duplicated or empty token', async () => {
    await expect(createWordPieceTokenizer({ vocab: [...SMALL_VOCAB, 'the'] })).rejects.toThrow(/"the" twice/);
    await expect(createWordPieceTokenizer({ vocab: [...SMALL_VOCAB.slice(0, 5), '', 'the'] })).rejects.toThrow(/empty token at id 5/);
  });

  it('an unreadable file names the path', async () => {
    const missing = join(directory, 'missing', 'vocab.txt');
    const error = (await createWordPieceTokenizer({ vocab: missing }).catch((caught: unknown) => caught)) as TokenizerError;
    expect(error).toBeInstanceOf(TokenizerError);
    expect(error.message).toContain(missing);
    expect(error.received).toMatch(/ENOENT/);
  });

  it('invalid options are a ConfigError', async () => {
    await expect(createWordPieceTokenizer({ vocab: SMALL_VOCAB, lowercase: 'yes' } as never)).rejects.toThrow(ConfigError);
    await expect(createWordPieceTokenizer({ vocab: SMALL_VOCAB, casing: 'upper' } as never)).rejects.toThrow(/casing/);
  });
});
