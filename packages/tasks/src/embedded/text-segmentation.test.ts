import { describe, expect, it } from 'vitest';
import { countWords, normalizeWhitespace, packPassages, splitSentences } from './text-segmentation';

describe('text segmentation', () => {
  it('normalises every kind of whitespace to single spaces', () => {
    expect(normalizeWhitespace(' \tCall me\n\n Ishmael.\u00a0 Some years ago ')).toBe('Call me Ishmael. Some years ago');
  });

  it('splits sentences but not after abbreviations or initials', () => {
    expect(splitSentences('Mr. Smith went to the U.S. Senate. He spoke! Did John F. Kennedy? "Yes." (It ended.)')).toEqual([
      'Mr. Smith went to the U.S. Senate.',
      'He spoke!',
      'Did John F. Kennedy?',
      '"Yes."',
      '(It ended.)',
    ]);
    expect(splitSentences('a loan of 3,000,000 florins. 1,200 men came.')).toEqual(['a loan of 3,000,000 florins.', '1,200 men came.']);
  });

  it('counts words', () => {
    expect(countWords('')).toBe(0);
    expect(countWords('one two three')).toBe(3);
  });

  it('packs sentences into passages of about the target length and merges or drops the tail', () => {
    const sentences = ['a b c.', 'd e.', 'f g h i.', 'j.'];
    // target 5: [a b c. d e.] (5 words) closes; [f g h i. j.] (5) closes.
    expect(packPassages(sentences, { targetWords: 5, minWords: 2, maxWords: 10 })).toEqual(['a b c. d e.', 'f g h i. j.']);
    // a 1-word tail is merged into the previous passage when it fits ...
    expect(packPassages(['a b c.', 'd.'], { targetWords: 3, minWords: 2, maxWords: 10 })).toEqual(['a b c. d.']);
    // ... and dropped when it does not and is shorter than minWords.
    expect(packPassages(['a b c.', 'd.'], { targetWords: 3, minWords: 2, maxWords: 3 })).toEqual(['a b c.']);
  });
});
