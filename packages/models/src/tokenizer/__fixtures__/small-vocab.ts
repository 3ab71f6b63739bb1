/**
 * A small hand-written BERT vocabulary for the tokenizer tests; ids are array indices.
 * The expected tokenizations in the tests are worked out by hand from BERT's rules on it.
 */
export const SMALL_VOCAB = [
  '[PAD]', // 0
  '[UNK]', // 1
  '[CLS]', // 2
  '[SEP]', // 3
  '[MASK]', // 4
  'the', // 5
  'cafe', // 6
  'naive', // 7
  'un', // 8
  '##aff', // 9
  '##able', // 10
  'run', // 11
  '##ning', // 12
  '##s', // 13
  'hello', // 14
  'world', // 15
  '!', // 16
  ',', // 17
  '.', // 18
  '?', // 19
  '"', // 20
  '中', // 21
  '国', // 22
  '人', // 23
  'a', // 24
  'b', // 25
  'c', // 26
  'x', // 27
  '##x', // 28
  'cat', // 29
  'dog', // 30
  'sat', // 31
  'on', // 32
  'mat', // 33
];

/** The id of a token of {@link SMALL_VOCAB}. */
export function idOf(token: string): number {
  const id = SMALL_VOCAB.indexOf(token);
  if (id < 0) throw new Error(`${token} is not in the small vocabulary`);
  return id;
}
