import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '@pofa/core';
import { TokenizerError } from './tokenizer-error';

/** What a `tokenizer.json` says about the vocabulary and the BERT normalizer. */
export interface TokenizerJsonContents {
  /** Tokens in id order (model vocabulary plus added tokens). */
  vocab: string[];
  /** `normalizer.lowercase` when the file has a BertNormalizer. */
  lowercase?: boolean;
  /** `normalizer.strip_accents` when set explicitly (null means "follow lowercase"). */
  stripAccents?: boolean;
}

function readError(path: string, what: string, error: unknown): TokenizerError {
  return new TokenizerError(`Could not read the ${what} at ${path}`, {
    expected: `a readable ${what}`,
    received: error instanceof Error ? error.message : String(error),
    hint: 'Check the path; vocabularies are vocab.txt (one token per line) or a Hugging Face tokenizer.json',
    cause: error,
  });
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw readError(path, what, error);
  }
}

async function readBytes(path: string, what: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    throw readError(path, what, error);
  }
}

/** The text of a vocab.txt; bytes that are not UTF-8 (a Latin-1 file, a damaged copy) are an error naming their line. */
function decodeVocab(bytes: Uint8Array, path: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    const line = new TextDecoder().decode(bytes).split('\n').findIndex((text) => text.includes('\ufffd'));
    throw new TokenizerError(`The vocab.txt at ${path} is not UTF-8 (line ${line + 1}, token id ${line})`, {
      expected: 'tokens encoded as UTF-8, one per line',
      received: 'bytes that are not UTF-8',
      hint: 'The file is damaged or in another encoding: copy the vocab.txt of the model again (iconv -t utf-8 converts one)',
      cause: error,
    });
  }
}

/**
 * Reads a BERT `vocab.txt`: one token per line, the id of a token is its line number
 * (from 0). A final newline does not add a token; a `\r` before a newline is dropped. A file
 * that is not UTF-8 is a {@link TokenizerError} naming the line (its tokens would otherwise be
 * read with U+FFFD in place of the bad bytes, and silently never match).
 *
 * @example
 * ```ts
 * const vocab = await loadVocab('bert-base-uncased/vocab.txt');
 * vocab[101]; // "[CLS]"
 * ```
 */
export async function loadVocab(path: string): Promise<string[]> {
  const text = decodeVocab(await readBytes(path, 'vocab.txt'), path);
  if (text.length === 0) return [];
  const lines = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  if (text.endsWith('\n')) lines.pop();
  return lines;
}

/**
 * Writes a vocabulary as `vocab.txt` (one token per line, in id order), atomically: readers
 * see the old file or the whole new one.
 *
 * @example
 * ```ts
 * await saveVocab('out/vocab.txt', trainWordPieceVocab(texts, { vocabSize: 8000 }));
 * ```
 */
export async function saveVocab(path: string, vocab: readonly string[]): Promise<void> {
  const bad = vocab.findIndex((token) => typeof token !== 'string' || token.length === 0 || /[\r\n]/.test(token));
  if (bad >= 0) {
    throw new TokenizerError(`Cannot save token ${bad} to ${path}`, {
      expected: 'non-empty tokens without line breaks',
      received: JSON.stringify(vocab[bad]),
      hint: 'vocab.txt holds one token per line, so a token cannot be empty or contain a newline',
    });
  }
  await writeFileAtomic(path, vocab.length === 0 ? '' : `${vocab.join('\n')}\n`);
}

function formatError(path: string, received: string, hint: string): TokenizerError {
  return new TokenizerError(`The tokenizer.json at ${path} is not a WordPiece tokenizer`, {
    expected: 'a Hugging Face tokenizer.json with model.type "WordPiece" and model.vocab { token: id }',
    received,
    hint,
  });
}

/**
 * Reads the vocabulary (and the BertNormalizer flags) from a Hugging Face `tokenizer.json`.
 * Ids must run from 0 without gaps once the added tokens are included.
 *
 * @example
 * ```ts
 * const { vocab, lowercase } = await readTokenizerJson('bert-base-uncased/tokenizer.json');
 * ```
 */
export async function readTokenizerJson(path: string): Promise<TokenizerJsonContents> {
  const text = await readText(path, 'tokenizer.json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw formatError(path, `invalid JSON (${error instanceof Error ? error.message : String(error)})`, 'Check that the file is complete');
  }
  const root = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  const model = (root.model ?? {}) as { type?: unknown; vocab?: unknown };
  if (model.type !== 'WordPiece' || typeof model.vocab !== 'object' || model.vocab === null || Array.isArray(model.vocab)) {
    throw formatError(path, `model.type ${JSON.stringify(model.type)}`, 'Only WordPiece (BERT-style) tokenizers are supported');
  }
  const byId = new Map<number, string>();
  for (const [token, id] of Object.entries(model.vocab as Record<string, unknown>)) {
    if (typeof id === 'number') byId.set(id, token);
  }
  for (const added of Array.isArray(root.added_tokens) ? root.added_tokens : []) {
    const { id, content } = (added ?? {}) as { id?: unknown; content?: unknown };
    if (typeof id === 'number' && typeof content === 'string' && !byId.has(id)) byId.set(id, content);
  }
  const vocab: string[] = [];
  for (let id = 0; id < byId.size; id += 1) {
    const token = byId.get(id);
    if (token === undefined) {
      throw formatError(path, `${byId.size} tokens with no token for id ${id}`, 'Ids must be 0..n-1 without gaps');
    }
    vocab.push(token);
  }
  const normalizer = (root.normalizer ?? {}) as { type?: unknown; lowercase?: unknown; strip_accents?: unknown };
  const isBert = normalizer.type === 'BertNormalizer';
  return {
    vocab,
    lowercase: isBert && typeof normalizer.lowercase === 'boolean' ? normalizer.lowercase : undefined,
    stripAccents: isBert && typeof normalizer.strip_accents === 'boolean' ? normalizer.strip_accents : undefined,
  };
}
