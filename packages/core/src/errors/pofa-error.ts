const marker = Symbol.for('pofa.error');

/** What a {@link PofaError} carries besides its message. */
export interface PofaErrorDetails {
  /** What the caller should have given, in words (`"a sparsity in [0, 1)"`). */
  expected?: string;
  /** What came instead (`"1.5"`). */
  received?: string;
  /** How to fix it. */
  hint?: string;
  /** The error that caused this one, if any. */
  cause?: unknown;
  /** A stable code that names this failure more precisely than its class (`POFA_OUTPUT_EXISTS`); see {@link PofaError.code}. */
  code?: string;
}

/** `ConfigError` → `POFA_CONFIG`, `BundleError` → `POFA_BUNDLE`, `RuntimeInputError` → `POFA_RUNTIME_INPUT`; `PofaError` → `POFA_ERROR`. */
function codeOfClass(name: string): string {
  const stem = name === 'PofaError' ? '' : name.replace(/Error$/, '');
  return `POFA_${stem.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase() || 'ERROR'}`;
}

/**
 * The base of every error pofa throws on purpose. The message reads
 * `"<what>: expected <expected>, received <received>. <hint>"`, and the parts stay on the
 * instance for programs that inspect them, with a stable {@link PofaError.code}.
 *
 * @example
 * ```ts
 * try { initBackendSync('tpu'); } catch (error) {
 *   if (PofaError.isInstance(error)) console.error(error.hint);
 * }
 * ```
 */
export class PofaError extends Error {
  private readonly [marker] = true;
  readonly expected?: string;
  readonly received?: string;
  readonly hint?: string;
  readonly #code: string | undefined;

  constructor(message: string, details: PofaErrorDetails = {}) {
    super(formatMessage(message, details), details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'PofaError';
    this.expected = details.expected;
    this.received = details.received;
    this.hint = details.hint;
    this.#code = details.code;
  }

  /**
   * The stable code of this failure, for programs and for `docs/errors.md`: the one given in the
   * details, else `POFA_` and the class name (`ConfigError` → `POFA_CONFIG`). Codes never change
   * meaning between versions; messages may.
   */
  get code(): string {
    return this.#code ?? codeOfClass(this.name);
  }

  /** True for any pofa error, even one from another copy of this package. */
  static isInstance(error: unknown): error is PofaError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}

function formatMessage(message: string, details: PofaErrorDetails): string {
  let text = message;
  if (details.expected !== undefined || details.received !== undefined) {
    const parts: string[] = [];
    if (details.expected !== undefined) parts.push(`expected ${details.expected}`);
    if (details.received !== undefined) parts.push(`received ${details.received}`);
    text += `: ${parts.join(', ')}`;
  }
  if (details.hint !== undefined) text += `. ${details.hint}`;
  return text;
}

/** A short, printable description of any value, for error messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return value.length > 8 ? `an array of ${value.length} items` : arrayText(value);
  return typeof value === 'object' ? `an object with keys [${Object.keys(value).slice(0, 8).join(', ')}]` : typeof value;
}

/** A short array as JSON; one that JSON cannot write (nested deeper than the stack, holding a BigInt) by its length. */
function arrayText(value: unknown[]): string {
  try {
    return JSON.stringify(value);
  } catch {
    return `an array of ${value.length} item${value.length === 1 ? '' : 's'}`;
  }
}
