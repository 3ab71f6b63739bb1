import { describe, expect, it } from 'vitest';
import { ConfigError } from '@pofa/core';
import type { SquadExample } from './squad';
import { createSquadFeatures } from './squad-features';
import { bestSquadSpans, postprocessSquad } from './squad-postprocess';
import type { TokenizerLike } from './tokenizer-like';

/** Splits on whitespace; a word's id is 100 + its first-seen order. [CLS] = 1, [SEP] = 2, [PAD] = 0. */
function createWhitespaceTokenizer(): TokenizerLike {
  const vocabulary = new Map<string, number>();
  return {
    clsId: 1,
    sepId: 2,
    padId: 0,
    tokenize(text) {
      const ids: number[] = [];
      const offsets: Array<[number, number]> = [];
      for (const match of text.matchAll(/\S+/g)) {
        if (!vocabulary.has(match[0])) vocabulary.set(match[0], 100 + vocabulary.size);
        ids.push(vocabulary.get(match[0]) as number);
        offsets.push([match.index as number, (match.index as number) + match[0].length]);
      }
      return { ids, offsets };
    },
  };
}

// Context words w0..w9: token i spans characters [3i, 3i + 2).
const context = 'w0 w1 w2 w3 w4 w5 w6 w7 w8 w9';
const example = (id: string, text: string, question = 'q1 q2'): SquadExample => ({
  id,
  title: '',
  context,
  question,
  answers: text === '' ? [] : [{ text, answerStart: context.indexOf(text) }],
});
// maxSeqLength 10 with a 2-token question leaves 10 - 2 - 3 = 5 context tokens per window;
// docStride 2 shares 2 tokens, so windows start 3 apart: [0, 5), [3, 8), [6, 10).
const options = { maxSeqLength: 10, docStride: 2 };

describe('createSquadFeatures', () => {
  it('cuts overlapping windows with the stride arithmetic worked by hand', () => {
    const tokenizer = createWhitespaceTokenizer();
    const features = createSquadFeatures([example('a', 'w4 w5')], tokenizer, options);
    expect(features).toHaveLength(3);
    const contextWords = features.map((feature) =>
      feature.offsets.filter((offset) => offset !== null).map((offset) => context.slice(offset![0], offset![1])),
    );
    expect(contextWords).toEqual([
      ['w0', 'w1', 'w2', 'w3', 'w4'],
      ['w3', 'w4', 'w5', 'w6', 'w7'],
      ['w6', 'w7', 'w8', 'w9'],
    ]);
    const last = features[2];
    const id = (word: string) => tokenizer.tokenize(word).ids[0];
    expect(last.inputIds).toEqual([1, id('q1'), id('q2'), 2, id('w6'), id('w7'), id('w8'), id('w9'), 2, 0]);
    expect(last.tokenTypeIds).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 1, 0]);
    expect(last.attentionMask).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 0]);
    expect(last.offsets.slice(0, 5)).toEqual([null, null, null, null, [18, 20]]);
    expect(features.every((feature) => feature.exampleId === 'a' && feature.inputIds.length === 10)).toBe(true);
  });

  it('labels the answer span in the window that holds it, and [CLS] elsewhere', () => {
    const features = createSquadFeatures([example('a', 'w4 w5')], createWhitespaceTokenizer(), options);
    // Window 1 is [CLS] q1 q2 [SEP] w3 w4 w5 ...: w4 is token 5, w5 token 6.
    expect(features.map((feature) => [feature.startPosition, feature.endPosition])).toEqual([
      [0, 0],
      [5, 6],
      [0, 0],
    ]);
  });

  it('labels an answer on the last context token of a window', () => {
    const features = createSquadFeatures([example('a', 'w7')], createWhitespaceTokenizer(), options);
    // w7 is the last context token of window 1 (token 8) and the second of window 2 (token 5).
    expect(features.map((feature) => [feature.startPosition, feature.endPosition])).toEqual([
      [0, 0],
      [8, 8],
      [5, 5],
    ]);
  });

  it('maps an answer that starts or ends inside a token to the tokens around it', () => {
    const partial: SquadExample = { ...example('a', ''), answers: [{ text: '1 w2 w', answerStart: 4 }] };
    const [feature] = createSquadFeatures([partial], createWhitespaceTokenizer(), options);
    expect([feature.startPosition, feature.endPosition]).toEqual([5, 7]);
  });

  it('truncates the question and leaves positions out for unanswered examples', () => {
    const features = createSquadFeatures([example('a', '', 'q1 q2 q3 q4')], createWhitespaceTokenizer(), {
      ...options,
      maxQueryLength: 2,
    });
    expect(features).toHaveLength(3);
    expect(features[0].startPosition).toBeUndefined();
  });

  it('rejects a window with no room for context beyond the stride', () => {
    expect(() => createSquadFeatures([example('a', 'w1')], createWhitespaceTokenizer(), { maxSeqLength: 7, docStride: 2 })).toThrowError(
      ConfigError,
    );
    expect(() => createSquadFeatures([], createWhitespaceTokenizer(), { docStride: -1 })).toThrowError(/docStride/);
  });
});

describe('postprocessSquad', () => {
  const logits = (length: number, entries: Record<number, number>) =>
    Array.from({ length }, (_, index) => entries[index] ?? -10);

  it('picks the best valid span across windows and cuts its text by offsets', () => {
    const features = createSquadFeatures([example('a', 'w4 w5')], createWhitespaceTokenizer(), options);
    const startLogits = [
      logits(10, { 0: 50, 1: 40, 8: 9 }), // [CLS] and a question token score highest: not context, ignored.
      logits(10, { 5: 6, 7: 8 }),
      logits(10, { 6: 3 }),
    ];
    const endLogits = [
      logits(10, { 0: 50, 2: 40, 5: 9 }), // best context pair (8, 5) ends before it starts: invalid.
      logits(10, { 6: 5, 4: 9 }), // (7, 4) is invalid; (5, 6) scores 11; (7, 6) is invalid.
      logits(10, { 7: 3 }),
    ];
    expect(postprocessSquad(features, startLogits, endLogits)).toEqual({ a: 'w4 w5' });
    // The winner is window 1's (5, 6): start 6 + end 5; w4 w5 are characters [12, 17) of the context.
    expect(bestSquadSpans(features, startLogits, endLogits).get('a')).toEqual({ text: 'w4 w5', start: 12, end: 17, logitScore: 11, featureIndex: 1, startToken: 5, endToken: 6 });
  });

  it('drops spans longer than maxAnswerLength and keeps interior whitespace of the context', () => {
    const spaced: SquadExample = { id: 'b', title: '', context: 'Hello   big  world! bye', question: 'q', answers: [] };
    const [feature] = createSquadFeatures([spaced], createWhitespaceTokenizer(), { maxSeqLength: 12, docStride: 1 });
    // [CLS] q [SEP] Hello big world! bye [SEP] ...: Hello = 3, big = 4, world! = 5, bye = 6.
    const start = [logits(12, { 3: 9, 4: 5 })];
    const end = [logits(12, { 6: 9, 5: 5 })];
    expect(postprocessSquad([feature], start, end)).toEqual({ b: 'Hello   big  world! bye' });
    expect(postprocessSquad([feature], start, end, { maxAnswerLength: 3 })).toEqual({ b: 'Hello   big  world!' });
    expect(postprocessSquad([feature], start, end, { maxAnswerLength: 2 })).toEqual({ b: 'big  world!' });
  });

  it('returns an empty answer when no span is valid and checks logit shapes', () => {
    const features = createSquadFeatures([example('a', '')], createWhitespaceTokenizer(), options);
    const only = [logits(10, { 0: 1 }), logits(10, {}), logits(10, {})];
    expect(postprocessSquad(features, only, only, { nBest: 1 })).toEqual({ a: '' });
    expect(() => postprocessSquad(features, only.slice(1), only)).toThrowError(/3 rows/);
    expect(() => postprocessSquad(features, [[1], [2], [3]], only)).toThrowError(/10 start and end logits/);
  });
});
