/** Token ids of a text with each token's `[start, end)` character span in that text. */
export interface TokenizedText {
  ids: number[];
  offsets: Array<[number, number]>;
}

/**
 * The little of a tokenizer that SQuAD feature building needs: tokenize one text (without
 * special tokens) keeping character offsets, and the ids of `[CLS]`, `[SEP]` and `[PAD]`.
 * The WordPiece tokenizer of `@pofa/models` fits it; so does any object with these members.
 *
 * @example
 * ```ts
 * const whitespace: TokenizerLike = {
 *   clsId: 1, sepId: 2, padId: 0,
 *   tokenize(text) {
 *     const ids: number[] = []; const offsets: Array<[number, number]> = [];
 *     for (const match of text.matchAll(/\S+/g)) {
 *       ids.push(10 + match[0].length); offsets.push([match.index!, match.index! + match[0].length]);
 *     }
 *     return { ids, offsets };
 *   },
 * };
 * ```
 */
export interface TokenizerLike {
  tokenize(text: string): TokenizedText;
  readonly clsId: number;
  readonly sepId: number;
  readonly padId: number;
}
