import { z } from 'zod';
import { ConfigError, describeValue } from '@pofa/core';
import { DataFormatError } from '../errors/data-format-error';
import type { SquadExample } from './squad';
import type { TokenizerLike } from './tokenizer-like';

/**
 * Options of {@link createSquadFeatures}.
 *
 * @example
 * ```ts
 * SquadFeatureOptionsSchema.parse({}); // { maxSeqLength: 384, docStride: 128, maxQueryLength: 64 }
 * ```
 */
export const SquadFeatureOptionsSchema = z
  .object({
    /** Tokens per window, special tokens and padding included. */
    maxSeqLength: z.number().int().positive().default(384),
    /** Context tokens shared by consecutive windows (Hugging Face's `stride`). */
    docStride: z.number().int().nonnegative().default(128),
    /** Question tokens kept; longer questions are truncated. */
    maxQueryLength: z.number().int().positive().default(64),
  })
  .strict();

/** Options of {@link createSquadFeatures}, as the caller writes them. */
export type SquadFeatureOptions = z.input<typeof SquadFeatureOptionsSchema>;

/** One window of one example: `[CLS] question [SEP] context window [SEP] [PAD]...`. */
export interface SquadFeature {
  exampleId: string;
  /** Index of the example in the list given to {@link createSquadFeatures}. */
  exampleIndex: number;
  /** The example's context, which `offsets` index into. */
  context: string;
  inputIds: number[];
  attentionMask: number[];
  /** 0 for `[CLS]`, the question, its `[SEP]` and padding; 1 for the context and the last `[SEP]`. */
  tokenTypeIds: number[];
  /** `[start, end)` characters of `context` for each context token; `null` for every other token. */
  offsets: Array<[number, number] | null>;
  /** Token index of the first answer's first token; 0 (`[CLS]`) when it is not inside this window. */
  startPosition?: number;
  /** Token index of the first answer's last token; 0 (`[CLS]`) when it is not inside this window. */
  endPosition?: number;
}

/**
 * Turns SQuAD examples into fixed-length model inputs the way Hugging Face's
 * `prepare_train_features` / `prepare_validation_features` do: the question (truncated to
 * `maxQueryLength` tokens) then a window of the context, windows overlapping by `docStride`
 * tokens (so consecutive windows start `maxSeqLength - questionTokens - 3 - docStride` tokens
 * apart), padded to `maxSeqLength`. Each window keeps the character offsets of its context
 * tokens. For an example with answers, the first answer's token span is labelled in every
 * window that contains it whole, and other windows point at `[CLS]` (index 0).
 *
 * @example
 * ```ts
 * const features = createSquadFeatures(examples, tokenizer, { maxSeqLength: 384, docStride: 128 });
 * features[0].inputIds.length; // 384
 * ```
 */
export function createSquadFeatures(
  examples: readonly SquadExample[],
  tokenizer: TokenizerLike,
  options: SquadFeatureOptions = {},
): SquadFeature[] {
  const parsed = SquadFeatureOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new ConfigError('createSquadFeatures: invalid options', {
      expected: '{ maxSeqLength?: positive integer, docStride?: integer >= 0, maxQueryLength?: positive integer }',
      received: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
    });
  }
  const { maxSeqLength, docStride, maxQueryLength } = parsed.data;
  const features: SquadFeature[] = [];
  examples.forEach((example, exampleIndex) => {
    const questionIds = tokenizer.tokenize(example.question).ids.slice(0, maxQueryLength);
    const context = tokenizer.tokenize(example.context);
    if (context.ids.length !== context.offsets.length) {
      throw new DataFormatError('createSquadFeatures: the tokenizer returned ids and offsets of different lengths', {
        expected: 'one [start, end) offset per token id',
        received: `${context.ids.length} ids and ${context.offsets.length} offsets (example ${describeValue(example.id)})`,
      });
    }
    const windowLength = maxSeqLength - questionIds.length - 3;
    if (windowLength <= docStride) {
      throw new ConfigError('createSquadFeatures: no room for the context window', {
        expected: `maxSeqLength - question tokens - 3 (${windowLength}) > docStride (${docStride})`,
        received: `maxSeqLength ${maxSeqLength}, ${questionIds.length} question tokens`,
        hint: 'Raise maxSeqLength, or lower maxQueryLength or docStride',
      });
    }
    for (let start = 0; ; start += windowLength - docStride) {
      const end = Math.min(start + windowLength, context.ids.length);
      features.push(buildWindow(example, exampleIndex, tokenizer, questionIds, context, start, end, maxSeqLength));
      if (end >= context.ids.length) break;
    }
  });
  return features;
}

function buildWindow(
  example: SquadExample,
  exampleIndex: number,
  tokenizer: TokenizerLike,
  questionIds: number[],
  context: { ids: number[]; offsets: Array<[number, number]> },
  start: number,
  end: number,
  maxSeqLength: number,
): SquadFeature {
  const inputIds = [tokenizer.clsId, ...questionIds, tokenizer.sepId];
  const tokenTypeIds = inputIds.map(() => 0);
  const offsets: Array<[number, number] | null> = inputIds.map(() => null);
  const firstContextToken = inputIds.length;
  for (let index = start; index < end; index += 1) {
    inputIds.push(context.ids[index]);
    tokenTypeIds.push(1);
    offsets.push([context.offsets[index][0], context.offsets[index][1]]);
  }
  const lastContextToken = inputIds.length - 1;
  inputIds.push(tokenizer.sepId);
  tokenTypeIds.push(1);
  offsets.push(null);
  const attentionMask = inputIds.map(() => 1);
  while (inputIds.length < maxSeqLength) {
    inputIds.push(tokenizer.padId);
    tokenTypeIds.push(0);
    attentionMask.push(0);
    offsets.push(null);
  }
  const feature: SquadFeature = {
    exampleId: example.id,
    exampleIndex,
    context: example.context,
    inputIds,
    attentionMask,
    tokenTypeIds,
    offsets,
  };
  if (example.answers.length > 0) {
    Object.assign(feature, answerPositions(example.answers[0], offsets, firstContextToken, lastContextToken));
  }
  return feature;
}

/**
 * Hugging Face's labelling: `[CLS]` unless the window holds the whole answer; else the last token
 * starting at or before the answer's first character, and the first token (scanning back from the
 * window's end) whose end is past the answer's last character. Both scans stay inside the context
 * tokens (HF's start scan can run on into `[SEP]` when the answer begins at the last token).
 */
function answerPositions(
  answer: { text: string; answerStart: number },
  offsets: Array<[number, number] | null>,
  firstContextToken: number,
  lastContextToken: number,
): { startPosition: number; endPosition: number } {
  const startCharacter = answer.answerStart;
  const endCharacter = answer.answerStart + answer.text.length;
  const first = offsets[firstContextToken];
  const last = offsets[lastContextToken];
  if (first === null || last === null || !(first[0] <= startCharacter && last[1] >= endCharacter)) {
    return { startPosition: 0, endPosition: 0 };
  }
  let startToken = firstContextToken;
  while (startToken <= lastContextToken && (offsets[startToken] as [number, number])[0] <= startCharacter) startToken += 1;
  let endToken = lastContextToken;
  while (endToken >= firstContextToken && (offsets[endToken] as [number, number])[1] >= endCharacter) endToken -= 1;
  return { startPosition: startToken - 1, endPosition: endToken + 1 };
}
