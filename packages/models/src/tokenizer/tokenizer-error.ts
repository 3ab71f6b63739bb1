import { PofaError, type PofaErrorDetails } from '@pofa/core';

const marker = Symbol.for('pofa.error.tokenizer');

/**
 * A tokenizer that cannot be built or used: an empty vocabulary, a vocabulary without the
 * BERT special tokens, an unreadable `vocab.txt` / `tokenizer.json`, a `maxLength` too short
 * for the special tokens, or a text the truncation strategy cannot fit.
 *
 * @example
 * ```ts
 * try { await createWordPieceTokenizer({ vocab: [] }); } catch (error) {
 *   if (TokenizerError.isInstance(error)) console.error(error.hint);
 * }
 * ```
 */
export class TokenizerError extends PofaError {
  private readonly [marker] = true;

  constructor(message: string, details: PofaErrorDetails = {}) {
    super(message, details);
    this.name = 'TokenizerError';
  }

  static override isInstance(error: unknown): error is TokenizerError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
