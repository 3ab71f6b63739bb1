/**
 * Collapses every run of whitespace (spaces, tabs, newlines, non-breaking spaces) into one
 * space and trims the ends.
 *
 * @example
 * ```ts
 * normalizeWhitespace('  Call me\n\tIshmael. '); // 'Call me Ishmael.'
 * ```
 */
export function normalizeWhitespace(text: string): string {
  return text.replace(/[\s\u00a0\u200b\ufeff]+/g, ' ').trim();
}

// Words whose trailing period does not end a sentence ("Mr. Smith", "U.S. Government").
const ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'dr', 'st', 'gen', 'col', 'capt', 'lt', 'sgt', 'gov', 'sen', 'rep', 'hon', 'rev', 'messrs',
  'jr', 'sr', 'no', 'nos', 'vol', 'art', 'sec', 'ch', 'vs', 'etc', 'viz', 'i.e', 'e.g', 'u.s', 'u.s.a', 'u.k',
  'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sept', 'oct', 'nov', 'dec', 'inc', 'co', 'corp', 'ft', 'mt',
]);

/**
 * Splits normalised text into sentences at `.`, `!` or `?` (optionally followed by closing
 * quotes or brackets) before whitespace and an upper-case letter, digit or opening quote, except
 * after common abbreviations and single initials.
 *
 * @example
 * ```ts
 * splitSentences('Mr. Smith went to the U.S. Senate. He spoke.'); // ['Mr. Smith went to the U.S. Senate.', 'He spoke.']
 * ```
 */
export function splitSentences(text: string): string[] {
  const pieces = text.split(/(?<=[.!?]["'”’)\]]*)\s+(?=["'“‘(\[]?[A-Z0-9])/);
  const sentences: string[] = [];
  for (const piece of pieces) {
    const previous = sentences[sentences.length - 1];
    if (previous !== undefined && endsWithAbbreviation(previous)) {
      sentences[sentences.length - 1] = `${previous} ${piece}`;
    } else if (piece.length > 0) {
      sentences.push(piece);
    }
  }
  return sentences;
}

function endsWithAbbreviation(sentence: string): boolean {
  const match = /(?:^|[\s(“"'])([A-Za-z][A-Za-z.]*)\.$/.exec(sentence);
  if (match === null) return false;
  const word = match[1];
  return (word.length === 1 && word === word.toUpperCase()) || ABBREVIATIONS.has(word.toLowerCase());
}

/** Counts whitespace-separated words. */
export function countWords(text: string): number {
  if (text.length === 0) return 0;
  let count = 1;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 32) count++;
  return count;
}

/** Options of {@link packPassages}. */
export interface PassageOptions {
  /** A passage is closed once it holds at least this many words. */
  targetWords: number;
  /** Passages shorter than this are dropped (the tail of a document is merged into the previous one when it fits). */
  minWords: number;
  /** A passage never grows past this many words by merging. */
  maxWords: number;
}

/**
 * Packs consecutive sentences into passages ("paragraphs") of about `targetWords` words: used
 * where a corpus has no paragraph breaks (the State of the Union texts are one line each).
 *
 * @example
 * ```ts
 * packPassages(['One two.', 'Three four.', 'Five.'], { targetWords: 4, minWords: 2, maxWords: 10 });
 * // ['One two. Three four. Five.']
 * ```
 */
export function packPassages(sentences: readonly string[], options: PassageOptions): string[] {
  const passages: string[] = [];
  const counts: number[] = [];
  let current: string[] = [];
  let words = 0;
  for (const sentence of sentences) {
    current.push(sentence);
    words += countWords(sentence);
    if (words >= options.targetWords) {
      passages.push(current.join(' '));
      counts.push(words);
      current = [];
      words = 0;
    }
  }
  if (current.length > 0) {
    const last = passages.length - 1;
    if (last >= 0 && counts[last] + words <= options.maxWords) {
      passages[last] = `${passages[last]} ${current.join(' ')}`;
      counts[last] += words;
    } else {
      passages.push(current.join(' '));
      counts.push(words);
    }
  }
  return passages.filter((_, index) => counts[index] >= options.minWords);
}
