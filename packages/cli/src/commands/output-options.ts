import { resolve } from 'node:path';
import type { CliIo, CommandOption, OptionValues } from '../cli/command';
import { checkOutputTarget, writeOutputFile, type OutputTarget } from '../pipeline/output-target';
import { writeReportJson, type ReportRow } from '../pipeline/report-table';
import { checkRunFolder } from '../run-folder';

/**
 * `--force` of the commands that write: replace an existing output file, or write into a
 * non-empty folder pofa did not write.
 *
 * @example
 * ```ts
 * const options = { out: OUT_OPTION, force: FORCE_OPTION };
 * ```
 */
export const FORCE_OPTION: CommandOption = { type: 'boolean', description: 'Replace an existing output file (--json), or write into a non-empty --out folder pofa did not write' };

const text = (value: string | boolean | undefined): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * Checks, before any work, where a command writes a JSON file (`--json FILE`): `undefined`
 * without the option, else its {@link OutputTarget} (an existing file needs `--force`).
 *
 * @example
 * ```ts
 * const json = await checkJsonOutput(options, io);
 * ```
 */
export async function checkJsonOutput(options: OptionValues, io: CliIo, name = 'json'): Promise<OutputTarget | undefined> {
  const path = text(options[name]);
  if (path === undefined) return undefined;
  return checkOutputTarget(resolve(io.cwd, path), { kind: 'file', label: `--${name} ${path}`, force: options.force === true });
}

/**
 * Checks a run folder (`--out DIR`, `fallback` without it) and `--json FILE` before any work
 * (see `checkRunFolder`), so a wrong path fails at once rather than after training.
 *
 * @example
 * ```ts
 * const { json } = await checkRunOutputs(options, io, 'pofa-out');
 * ```
 */
export async function checkRunOutputs(options: OptionValues, io: CliIo, fallback: string): Promise<{ json: OutputTarget | undefined }> {
  const out = text(options.out) ?? fallback;
  await checkRunFolder(resolve(io.cwd, out), { label: `--out ${out}`, force: options.force === true, resume: options.resume === true });
  return { json: await checkJsonOutput(options, io) };
}

/**
 * Writes the rows of a table to a checked `--json` target, whole or not at all.
 *
 * @example
 * ```ts
 * await writeJsonRows(json, result.rows);
 * ```
 */
export async function writeJsonRows(target: OutputTarget, rows: readonly ReportRow[]): Promise<void> {
  await writeOutputFile(target, (file) => writeReportJson(file, rows));
}
