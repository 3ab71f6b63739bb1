import { z } from 'zod';
import { countWords } from './count-words';
import { PairQueue } from './pair-queue';
import { DEFAULT_SPECIAL_TOKENS } from './special-tokens';
import { parseTokenizerOptions } from './tokenizer-options';
import { TokenizerError } from './tokenizer-error';

/**
 * Options of {@link trainWordPieceVocab}.
 *
 * @example
 * ```ts
 * trainWordPieceVocabOptionsSchema.parse({ vocabSize: 8000 }); // minFrequency: 2, the five BERT special tokens
 * ```
 */
export const trainWordPieceVocabOptionsSchema = z
  .object({
    /** The size to reach, special tokens and alphabet included. */
    vocabSize: z.number().int().positive(),
    /** A pair is merged only if it occurs at least this often; training stops at the first that does not. */
    minFrequency: z.number().int().min(0).default(2),
    /** Tokens placed first, in this order (ids 0, 1, ...). */
    specialTokens: z.array(z.string().min(1)).default([...DEFAULT_SPECIAL_TOKENS]),
    /** Lower-case before counting (BERT uncased). */
    lowercase: z.boolean().default(true),
    /** Strip accents before counting. Default: the value of `lowercase`. */
    stripAccents: z.boolean().optional(),
    /** Keep only this many of the most frequent characters; words with other characters are not learned. */
    limitAlphabet: z.number().int().positive().optional(),
  })
  .strict();

/** Options of {@link trainWordPieceVocab}, as written by the caller. */
export type TrainWordPieceVocabOptions = z.input<typeof trainWordPieceVocabOptionsSchema>;

const PAIR_BASE = 2 ** 26;
const CONTINUATION = '##';

function keyOf(first: number, second: number): number {
  return first * PAIR_BASE + second;
}

/** Keeps the `limit` most frequent characters (ties: smaller code point), sorted by code point. */
function alphabetOf(counts: Map<string, number>, limit: number | undefined): string[] {
  const frequency = new Map<string, number>();
  for (const [word, count] of counts) for (const character of word) frequency.set(character, (frequency.get(character) ?? 0) + count);
  const byCodePoint = (a: string, b: string): number => (a.codePointAt(0) as number) - (b.codePointAt(0) as number);
  let characters = [...frequency.keys()];
  if (limit !== undefined && characters.length > limit) {
    characters = characters.sort((a, b) => (frequency.get(b) as number) - (frequency.get(a) as number) || byCodePoint(a, b)).slice(0, limit);
  }
  return characters.sort(byCodePoint);
}

/**
 * Trains a WordPiece vocabulary the way Hugging Face's `WordPieceTrainer` does: it is a BPE
 * trainer over `##`-prefixed continuation symbols. Words come from the BERT normalizer and
 * pre-tokenizer of the `tokenizers` library; each word starts as its first character
 * followed by `##`-prefixed characters; then the most frequent adjacent pair (summed over
 * word counts) is merged into a new token (`"t" + "##h"` → `"th"`, `"##a" + "##t"` → `"##at"`)
 * until the vocabulary has `vocabSize` tokens. The result is deterministic: ties go to the
 * pair with the smaller symbol ids, and the vocabulary is ordered special tokens, alphabet
 * (by code point), `##` continuation characters (by code point), then merges in order.
 * (The `tokenizers` Node bindings expose `train()` only with its default trainer: no
 * vocabulary size, minimum frequency or special tokens, and its hash-map order makes ties
 * non-deterministic; hence this implementation.)
 *
 * The vocabulary is smaller than `vocabSize` when no remaining pair occurs `minFrequency`
 * times (or every word is already one token). It throws a `TokenizerError` when `vocabSize`
 * is below the special tokens plus the alphabet; raise it or set `limitAlphabet`.
 *
 * @example
 * ```ts
 * const vocab = trainWordPieceVocab(paragraphs, { vocabSize: 8000, minFrequency: 2 });
 * await saveVocab('out/vocab.txt', vocab);
 * const tokenizer = await createWordPieceTokenizer({ vocab });
 * ```
 */
export function trainWordPieceVocab(texts: Iterable<string>, options: TrainWordPieceVocabOptions): string[] {
  const resolved = parseTokenizerOptions(trainWordPieceVocabOptionsSchema, options, 'trainWordPieceVocab options');
  const counts = countWords(texts, { lowercase: resolved.lowercase, stripAccents: resolved.stripAccents ?? resolved.lowercase });
  const alphabet = alphabetOf(counts, resolved.limitAlphabet);
  const kept = new Set(alphabet);

  const vocab: string[] = [];
  const ids = new Map<string, number>();
  const add = (token: string): number => {
    const existing = ids.get(token);
    if (existing !== undefined) return existing;
    ids.set(token, vocab.length);
    vocab.push(token);
    return vocab.length - 1;
  };
  for (const token of resolved.specialTokens) add(token);
  for (const character of alphabet) add(character);
  const continuations = new Set<string>();
  const usable: Array<{ characters: string[]; count: number }> = [];
  for (const [word, count] of counts) {
    const characters = [...word];
    if (!characters.every((character) => kept.has(character))) continue;
    characters.slice(1).forEach((character) => continuations.add(character));
    usable.push({ characters, count });
  }
  for (const character of alphabet) if (continuations.has(character)) add(CONTINUATION + character);
  const words = usable.map(({ characters }) =>
    characters.map((character, index) => ids.get(index === 0 ? character : CONTINUATION + character) as number),
  );
  const wordCounts = usable.map(({ count }) => count);
  if (vocab.length > resolved.vocabSize) {
    throw new TokenizerError(`vocabSize ${resolved.vocabSize} is below the tokens every vocabulary of this corpus needs`, {
      expected: `vocabSize >= ${vocab.length} (${resolved.specialTokens.length} special tokens, ${alphabet.length} characters and their ## forms)`,
      received: String(resolved.vocabSize),
      hint: 'Raise vocabSize, or set limitAlphabet to keep only the most frequent characters',
    });
  }
  mergePairs(words, wordCounts, vocab, add, resolved.vocabSize, resolved.minFrequency);
  return vocab;
}

/** The BPE loop: merges the most frequent pair until `vocabSize` or `minFrequency` stops it. */
function mergePairs(
  words: number[][],
  wordCounts: number[],
  vocab: string[],
  add: (token: string) => number,
  vocabSize: number,
  minFrequency: number,
): void {
  const pairCounts = new Map<number, number>();
  const where = new Map<number, Set<number>>();
  const record = (wordIndex: number, sign: number, touched?: Set<number>): void => {
    const symbols = words[wordIndex];
    for (let index = 0; index + 1 < symbols.length; index += 1) {
      const key = keyOf(symbols[index], symbols[index + 1]);
      pairCounts.set(key, (pairCounts.get(key) ?? 0) + sign * wordCounts[wordIndex]);
      touched?.add(key);
      if (sign > 0) {
        let set = where.get(key);
        if (set === undefined) where.set(key, (set = new Set()));
        set.add(wordIndex);
      }
    }
  };
  words.forEach((_, wordIndex) => record(wordIndex, 1));
  const queue = new PairQueue();
  const enqueue = (key: number): void => {
    const count = pairCounts.get(key) ?? 0;
    if (count > 0) queue.push({ first: Math.floor(key / PAIR_BASE), second: key % PAIR_BASE, count });
  };
  for (const key of pairCounts.keys()) enqueue(key);

  while (vocab.length < vocabSize) {
    const top = queue.pop();
    if (top === undefined) return;
    const key = keyOf(top.first, top.second);
    const live = pairCounts.get(key) ?? 0;
    if (live !== top.count) {
      enqueue(key);
      continue;
    }
    if (live < Math.max(1, minFrequency)) return;
    const second = vocab[top.second];
    const merged = add(vocab[top.first] + (second.startsWith(CONTINUATION) ? second.slice(CONTINUATION.length) : second));
    const touched = new Set<number>();
    for (const wordIndex of [...(where.get(key) ?? [])].sort((a, b) => a - b)) {
      record(wordIndex, -1, touched);
      const symbols = words[wordIndex];
      const next: number[] = [];
      for (let index = 0; index < symbols.length; index += 1) {
        if (index + 1 < symbols.length && symbols[index] === top.first && symbols[index + 1] === top.second) {
          next.push(merged);
          index += 1;
        } else next.push(symbols[index]);
      }
      words[wordIndex] = next;
      record(wordIndex, 1, touched);
    }
    where.delete(key);
    for (const changed of touched) if (changed !== key) enqueue(changed);
  }
}
