/** One failed conformance check: which check, and what went wrong. */
export interface ConformanceFailure {
  readonly check: string;
  readonly message: string;
}

/** A named conformance check; `run` returns the failure messages (empty when it passes). */
export interface ConformanceCheck {
  readonly name: string;
  run(): string[];
}

/** The most messages one check reports; the rest are counted. */
const MAX_MESSAGES = 4;

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Runs one check, turning an exception into a failure message; repeated messages are
 * reported once, and at most four are listed.
 *
 * @example
 * ```ts
 * runCheck({ name: 'throws', run: () => { throw new Error('boom'); } }); // ['threw Error: boom']
 * ```
 */
export function runCheck(check: ConformanceCheck): string[] {
  let messages: string[];
  try {
    messages = check.run();
  } catch (error) {
    messages = [`threw ${errorText(error)}`];
  }
  const unique = [...new Set(messages)];
  return unique.length > MAX_MESSAGES ? [...unique.slice(0, MAX_MESSAGES), `... and ${unique.length - MAX_MESSAGES} more`] : unique;
}

/**
 * Runs every check and collects the failures.
 *
 * @example
 * ```ts
 * const failures = runChecks(pruningMethodChecks(method, { options: { sparsity: 0.5 } }));
 * if (failures.length > 0) console.error(failures);
 * ```
 */
export function runChecks(checks: readonly ConformanceCheck[]): ConformanceFailure[] {
  return checks.flatMap((check) => runCheck(check).map((message) => ({ check: check.name, message })));
}
