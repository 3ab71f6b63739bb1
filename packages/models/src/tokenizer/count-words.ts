import { loadTokenizersLibrary } from './native-library';
import { TokenizerError } from './tokenizer-error';

/** How {@link countWords} normalises text before splitting it into words. */
export interface WordCountSettings {
  lowercase: boolean;
  stripAccents: boolean;
}

/**
 * Counts the words of a corpus as BERT sees them: each text goes through the library's
 * BertNormalizer and BertPreTokenizer, the same steps tokenization uses, so training and
 * tokenization agree on word boundaries, case, accents and CJK characters. Returns words in
 * order of first appearance.
 *
 * @example
 * ```ts
 * countWords(['The cat.', 'the CAT'], { lowercase: true, stripAccents: true });
 * // Map { "the" => 2, "cat" => 2, "." => 1 }
 * ```
 */
export function countWords(texts: Iterable<string>, settings: WordCountSettings): Map<string, number> {
  if (texts === null || typeof texts !== 'object' || typeof (texts as Iterable<string>)[Symbol.iterator] !== 'function') {
    throw new TokenizerError('Cannot train a vocabulary', { expected: 'an iterable of texts', received: typeof texts });
  }
  const library = loadTokenizersLibrary();
  const normalizer = library.bertNormalizer({ cleanText: true, handleChineseChars: true, ...settings });
  const preTokenizer = library.bertPreTokenizer();
  const counts = new Map<string, number>();
  let index = 0;
  for (const text of texts) {
    if (typeof text !== 'string') {
      throw new TokenizerError(`Cannot train on text ${index}`, { expected: 'a string', received: typeof text });
    }
    index += 1;
    if (text.length === 0) continue;
    for (const [word] of preTokenizer.preTokenizeString(normalizer.normalizeString(text))) {
      counts.set(word, (counts.get(word) ?? 0) + 1);
    }
  }
  return counts;
}
