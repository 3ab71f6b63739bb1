import { createRequire } from 'node:module';
import type * as TokenizersLibrary from 'tokenizers';
import { TokenizerError } from './tokenizer-error';

/** The Hugging Face `tokenizers` Node bindings (Rust, prebuilt `.node` binaries). */
export type TokenizersModule = typeof TokenizersLibrary;

let loaded: TokenizersModule | undefined;

/**
 * Loads the `tokenizers` native bindings on first use, so that importing `@pofa/models`
 * (for the models alone) never loads a native addon.
 *
 * Why this library: `tokenizers` (the Hugging Face Rust core, v0.23) exposes WordPiece,
 * the BERT normalizer and pre-tokenizer, BERT post-processing, truncation strategies with
 * overflow windows, padding and character offsets — everything `BertTokenizerFast` does.
 * The pure-JS `@huggingface/tokenizers` (v0.2) only loads a `tokenizer.json` and returns
 * ids, tokens and attention masks: no offsets, no truncation, no training.
 *
 * @example
 * ```ts
 * const { Tokenizer, WordPiece } = loadTokenizersLibrary();
 * ```
 */
export function loadTokenizersLibrary(): TokenizersModule {
  if (loaded !== undefined) return loaded;
  try {
    loaded = createRequire(import.meta.url)('tokenizers') as TokenizersModule;
  } catch (error) {
    throw new TokenizerError('Could not load the "tokenizers" native library', {
      expected: `a prebuilt binary for ${process.platform}-${process.arch}`,
      received: error instanceof Error ? error.message : String(error),
      hint: 'Reinstall @pofa/models so that its "tokenizers" dependency is present; it ships binaries for Linux (glibc and musl), macOS, Windows and Android',
      cause: error,
    });
  }
  return loaded;
}
