import type { Encoding, Tokenizer as LibraryTokenizer } from 'tokenizers';
import { type EncodedInput, toEncodedInput } from './encoded-input';
import type { ResolvedEncodeOptions } from './tokenizer-options';
import { TokenizerError } from './tokenizer-error';
import { truncatedLengths } from './truncation';

/** What {@link assembleEncoding} needs besides the raw encodings. */
export interface AssemblySettings {
  /** The tokenizer whose post-processor adds `[CLS]` / `[SEP]`. */
  tokenizer: LibraryTokenizer;
  maxLength: number;
  padId: number;
  padToken: string;
}

/** Cuts a raw encoding into `length`-token windows with the library; one window when it fits. */
function windowsOf(encoding: Encoding, length: number | undefined): Encoding[] {
  if (length === undefined || length >= encoding.getLength()) return [encoding];
  // The direction is explicit: the bindings' default cuts from the left.
  encoding.truncate(length, 0, 'right');
  return [encoding, ...encoding.getOverflowing()];
}

/**
 * Turns the raw wordpieces of one or two texts (encoded without special tokens) into a BERT
 * input: truncation, `[CLS] A [SEP] B [SEP]`, padding, offsets. Each window goes through the
 * library on its own (`Encoding.truncate` to cut, `Tokenizer.postProcess` for the special
 * tokens and token types, `Encoding.pad`), because the Node bindings of `tokenizers` 0.23
 * get overflow windows wrong when they truncate inside `encode` (windows lose tokens) or
 * post-process an encoding that carries overflows (pair windows get wrong token types).
 *
 * @example
 * ```ts
 * const raw = await libraryTokenizer.encode('a long text', null, { addSpecialTokens: false });
 * const input = assembleEncoding(settings, raw, undefined, 'a long text', undefined, options);
 * ```
 */
export function assembleEncoding(
  settings: AssemblySettings,
  first: Encoding,
  second: Encoding | undefined,
  text: string,
  textPair: string | undefined,
  options: ResolvedEncodeOptions,
): EncodedInput {
  const maxLength = options.maxLength ?? settings.maxLength;
  const specialCount = options.addSpecialTokens ? (second === undefined ? 2 : 3) : 0;
  let lengths: [number | undefined, number | undefined] = [undefined, undefined];
  if (options.truncation !== false) {
    const minimum = specialCount + (second === undefined ? 1 : 2);
    if (maxLength < minimum) {
      throw new TokenizerError(`maxLength ${maxLength} leaves no room for text`, {
        expected: `maxLength >= ${minimum} (${specialCount} special tokens and one token per text)`,
        received: String(maxLength),
        hint: 'Raise maxLength, or pass truncation: false',
      });
    }
    lengths = truncatedLengths(first.getLength(), second?.getLength(), maxLength - specialCount, options.truncation);
  }
  const firstWindows = windowsOf(first, lengths[0]);
  const secondWindows = second === undefined ? [undefined] : windowsOf(second, lengths[1]);
  const inputs: EncodedInput[] = [];
  for (const firstWindow of firstWindows) {
    for (const secondWindow of secondWindows) {
      const encoding = settings.tokenizer.postProcess(firstWindow, secondWindow ?? null, options.addSpecialTokens);
      if (options.padding === 'max_length') {
        encoding.pad(maxLength, { padId: settings.padId, padTypeId: 0, padToken: settings.padToken, direction: 'right' });
      }
      inputs.push(toEncodedInput(encoding, text, textPair, options.returnOffsets));
    }
  }
  const [main, ...overflowing] = inputs;
  if (overflowing.length > 0) main.overflowing = overflowing;
  return main;
}
