import type { Encoding, Tokenizer as LibraryTokenizer } from 'tokenizers';
import { type AssemblySettings, assembleEncoding } from './assemble-encoding';
import { type EncodedInput, toEncodedInput } from './encoded-input';
import { buildLibraryTokenizer, type PipelineSettings } from './library-pipeline';
import { BERT_SPECIAL_TOKENS } from './special-tokens';
import { type EncodeOptions, encodeOptionsSchema, parseTokenizerOptions } from './tokenizer-options';
import { TokenizerError } from './tokenizer-error';

/** A pair of texts for {@link BertTokenizer.encodeBatch}. */
export type TextPair = readonly [string, string];

/** The special tokens of a {@link BertTokenizer}. */
export type BertSpecialTokens = typeof BERT_SPECIAL_TOKENS;

/**
 * A BERT (WordPiece) tokenizer backed by the Hugging Face `tokenizers` library. Encoding runs
 * on the library's thread pool, so `encode`, `encodeBatch`, `tokenize` and
 * `tokenizeWithOffsets` return promises; vocabulary look-ups and `decode` are synchronous.
 *
 * @example
 * ```ts
 * const tokenizer = await createWordPieceTokenizer({ vocab: 'vocab.txt' });
 * const { inputIds, tokenTypeIds } = await tokenizer.encode('Who wrote it?', 'Melville wrote it.');
 * tokenizer.decode(inputIds, { skipSpecialTokens: true }); // "who wrote it? melville wrote it."
 * ```
 */
export interface BertTokenizer {
  /** Number of tokens in the vocabulary. */
  readonly vocabSize: number;
  /** Default longest encoding, special tokens included. */
  readonly maxLength: number;
  /** Whether text is lower-cased (BERT uncased). */
  readonly lowercase: boolean;
  /** Whether accents are stripped (NFD, combining marks dropped). */
  readonly stripAccents: boolean;
  /** Words with more characters become `[UNK]`. */
  readonly maxInputCharsPerWord: number;
  readonly specialTokens: BertSpecialTokens;
  readonly clsId: number;
  readonly sepId: number;
  readonly padId: number;
  readonly maskId: number;
  readonly unkId: number;
  /** Encodes a text, or a pair as `[CLS] A [SEP] B [SEP]`. */
  encode(text: string, textPair?: string, options?: EncodeOptions): Promise<EncodedInput>;
  /** Encodes many texts or pairs in parallel on the library's threads. */
  encodeBatch(inputs: ReadonlyArray<string | TextPair>, options?: EncodeOptions): Promise<EncodedInput[]>;
  /** Turns ids back into text (wordpieces joined, spaces before punctuation removed). */
  decode(ids: readonly number[], options?: { skipSpecialTokens?: boolean }): string;
  /** The wordpieces of a text, without special tokens or truncation. */
  tokenize(text: string): Promise<string[]>;
  /** Ids and UTF-16 `[start, end)` offsets of a text's wordpieces: no special tokens, no truncation. */
  tokenizeWithOffsets(text: string): Promise<{ ids: number[]; offsets: Array<[number, number]> }>;
  /** The id of a token, or undefined when it is not in the vocabulary. */
  tokenToId(token: string): number | undefined;
  /** The token of an id, or undefined when the id is out of range. */
  idToToken(id: number): string | undefined;
  /** A copy of the vocabulary in id order (what `saveVocab` writes). */
  getVocab(): string[];
}

function libraryError(error: unknown): TokenizerError {
  const message = error instanceof Error ? error.message : String(error);
  return new TokenizerError('The tokenizers library could not encode the input', { received: message, cause: error });
}

function requireText(value: unknown, name: string): string {
  if (typeof value !== 'string') {
    throw new TokenizerError(`Cannot tokenize ${name}`, { expected: 'a string', received: typeof value });
  }
  return value;
}

/** The {@link BertTokenizer} implementation; build it with `createWordPieceTokenizer`. */
export class WordPieceBertTokenizer implements BertTokenizer {
  readonly vocabSize: number;
  readonly specialTokens: BertSpecialTokens = BERT_SPECIAL_TOKENS;
  readonly clsId: number;
  readonly sepId: number;
  readonly padId: number;
  readonly maskId: number;
  readonly unkId: number;
  readonly lowercase: boolean;
  readonly stripAccents: boolean;
  readonly maxInputCharsPerWord: number;
  private readonly plain: LibraryTokenizer;
  private readonly assembly: AssemblySettings;
  private readonly specialIds: Set<number>;

  constructor(
    private readonly vocab: readonly string[],
    private readonly ids: ReadonlyMap<string, number>,
    settings: PipelineSettings,
    readonly maxLength: number,
  ) {
    const idOf = (token: string): number => ids.get(token) as number;
    this.vocabSize = vocab.length;
    this.lowercase = settings.lowercase;
    this.stripAccents = settings.stripAccents;
    this.maxInputCharsPerWord = settings.maxInputCharsPerWord;
    this.clsId = idOf(BERT_SPECIAL_TOKENS.cls);
    this.sepId = idOf(BERT_SPECIAL_TOKENS.sep);
    this.padId = idOf(BERT_SPECIAL_TOKENS.pad);
    this.maskId = idOf(BERT_SPECIAL_TOKENS.mask);
    this.unkId = idOf(BERT_SPECIAL_TOKENS.unk);
    this.specialIds = new Set([this.clsId, this.sepId, this.padId, this.maskId, this.unkId]);
    // One library tokenizer without truncation or padding (mutable state in the library,
    // read by its asynchronous encode): both are applied per call on the encodings.
    this.plain = buildLibraryTokenizer(settings);
    this.assembly = { tokenizer: this.plain, maxLength, padId: this.padId, padToken: BERT_SPECIAL_TOKENS.pad };
  }

  async encode(text: string, textPair?: string, options?: EncodeOptions): Promise<EncodedInput> {
    requireText(text, 'text');
    if (textPair !== undefined) requireText(textPair, 'textPair');
    const resolved = parseTokenizerOptions(encodeOptionsSchema, options, 'encode options');
    const [first, second] = await Promise.all([this.plainEncode(text), textPair === undefined ? undefined : this.plainEncode(textPair)]);
    return assembleEncoding(this.assembly, first, second, text, textPair, resolved);
  }

  async encodeBatch(inputs: ReadonlyArray<string | TextPair>, options?: EncodeOptions): Promise<EncodedInput[]> {
    if (!Array.isArray(inputs)) {
      throw new TokenizerError('Cannot encode a batch', { expected: 'an array of texts or [text, textPair] pairs', received: typeof inputs });
    }
    const texts: string[] = [];
    inputs.forEach((input: unknown, index) => {
      if (typeof input === 'string') texts.push(input);
      else if (Array.isArray(input) && input.length === 2) {
        texts.push(requireText(input[0], `batch item ${index}[0]`), requireText(input[1], `batch item ${index}[1]`));
      } else {
        throw new TokenizerError(`Cannot encode batch item ${index}`, { expected: 'a text or a [text, textPair] pair', received: String(input) });
      }
    });
    const resolved = parseTokenizerOptions(encodeOptionsSchema, options, 'encode options');
    let encodings: Encoding[];
    try {
      // The library's batch call takes single texts; pairs are assembled from two of them.
      encodings = await this.plain.encodeBatch(texts, { addSpecialTokens: false });
    } catch (error) {
      throw libraryError(error);
    }
    let next = 0;
    return inputs.map((input) => {
      if (typeof input === 'string') return assembleEncoding(this.assembly, encodings[next++], undefined, input, undefined, resolved);
      const first = encodings[next++];
      const second = encodings[next++];
      return assembleEncoding(this.assembly, first, second, input[0], input[1], resolved);
    });
  }

  decode(ids: readonly number[], options: { skipSpecialTokens?: boolean } = {}): string {
    const tokens: string[] = [];
    for (const id of ids) {
      const token = this.idToToken(id);
      if (token === undefined) {
        throw new TokenizerError('Cannot decode an id outside the vocabulary', {
          expected: `integers in [0, ${this.vocabSize})`,
          received: String(id),
        });
      }
      if (options.skipSpecialTokens === true && this.specialIds.has(id)) continue;
      tokens.push(token);
    }
    const decoder = this.plain.getDecoder();
    return tokens.length === 0 || decoder === null ? tokens.join(' ') : decoder.decode(tokens);
  }

  async tokenize(text: string): Promise<string[]> {
    const encoding = await this.plainEncode(requireText(text, 'text'));
    return encoding.getTokens();
  }

  async tokenizeWithOffsets(text: string): Promise<{ ids: number[]; offsets: Array<[number, number]> }> {
    const encoding = await this.plainEncode(requireText(text, 'text'));
    const input = toEncodedInput(encoding, text, undefined, true);
    return { ids: input.inputIds, offsets: input.offsets ?? [] };
  }

  tokenToId(token: string): number | undefined {
    return this.ids.get(token);
  }

  idToToken(id: number): string | undefined {
    return Number.isInteger(id) && id >= 0 ? this.vocab[id] : undefined;
  }

  getVocab(): string[] {
    return [...this.vocab];
  }

  /** The raw wordpieces of one text: no special tokens, no truncation, no padding. */
  private async plainEncode(text: string): Promise<Encoding> {
    try {
      return await this.plain.encode(text, null, { addSpecialTokens: false });
    } catch (error) {
      throw libraryError(error);
    }
  }
}
