import { ConfigError } from '@pofa/core';
import { z } from 'zod';

/**
 * Options of {@link createWordPieceTokenizer}.
 *
 * @example
 * ```ts
 * const options = wordPieceTokenizerOptionsSchema.parse({ vocab: 'vocab.txt' }); // maxLength: 512
 * ```
 */
export const wordPieceTokenizerOptionsSchema = z
  .object({
    /** Tokens in id order, or a path to a `vocab.txt` or a Hugging Face `tokenizer.json`. */
    vocab: z.union([z.array(z.string()), z.string().min(1)]),
    /** Lower-case the text (BERT uncased). Default true, or what a `tokenizer.json` says. */
    lowercase: z.boolean().optional(),
    /** Strip accents (NFD, drop combining marks). Default: the value of `lowercase`, as in BERT. */
    stripAccents: z.boolean().optional(),
    /** The longest encoding, special tokens included (BERT's position embeddings: 512). */
    maxLength: z.number().int().min(3).default(512),
    /** Words with more characters than this become `[UNK]` (BERT: 100). */
    maxInputCharsPerWord: z.number().int().positive().default(100),
  })
  .strict();

/** Options of {@link createWordPieceTokenizer}, as written by the caller. */
export type WordPieceTokenizerOptions = z.input<typeof wordPieceTokenizerOptionsSchema>;

/**
 * Options of `BertTokenizer.encode` / `encodeBatch`.
 *
 * @example
 * ```ts
 * encodeOptionsSchema.parse({ truncation: 'only_second', padding: 'max_length', maxLength: 384 });
 * ```
 */
export const encodeOptionsSchema = z
  .object({
    /** Longest encoding, special tokens included. Default: the tokenizer's `maxLength`. */
    maxLength: z.number().int().positive().optional(),
    /**
     * How to shorten a too-long input: `longest_first` removes tokens from the longer sequence
     * first, `only_first` / `only_second` from one sequence only, `false` never truncates.
     */
    truncation: z.union([z.enum(['longest_first', 'only_first', 'only_second']), z.literal(false)]).default('longest_first'),
    /** `max_length` pads with `[PAD]` (attention mask 0) up to `maxLength`. */
    padding: z.union([z.literal(false), z.literal('max_length')]).default(false),
    /** Return character offsets into the original text(s). */
    returnOffsets: z.boolean().default(false),
    /** Add `[CLS]` and `[SEP]`. */
    addSpecialTokens: z.boolean().default(true),
  })
  .strict();

/** Options of `BertTokenizer.encode`, as written by the caller. */
export type EncodeOptions = z.input<typeof encodeOptionsSchema>;
/** Options of `BertTokenizer.encode` with defaults applied. */
export type ResolvedEncodeOptions = z.output<typeof encodeOptionsSchema>;

/**
 * Validates options with a zod schema; on failure throws a `ConfigError` that lists each
 * issue with its key path.
 *
 * @example
 * ```ts
 * parseTokenizerOptions(encodeOptionsSchema, { padding: true }, 'encode options'); // throws ConfigError
 * ```
 */
export function parseTokenizerOptions<Schema extends z.ZodTypeAny>(schema: Schema, value: unknown, where: string): z.output<Schema> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data as z.output<Schema>;
  const issues = result.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`);
  throw new ConfigError(`Invalid ${where}`, {
    expected: 'options matching the documented schema',
    received: issues.join('; '),
    hint: 'Check these keys against the tokenizer documentation',
  });
}
