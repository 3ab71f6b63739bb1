import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CliIo, CommandOption, OptionValues } from '../cli/command';
import { OutputError } from '../errors/output-error';
import { checkOutputTarget, writeOutputFile, type OutputTarget } from '../pipeline/output-target';
import { writeReportJson, type ReportRow } from '../pipeline/report-table';
import { checkRunFolder, resolveCacheDir } from '../run-folder';

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
 * Refuses, without `--force`, a run folder that holds a run of another command (`pofa transfer`'s
 * for `pofa compress`, or the reverse): a new run clears a finished run of its own command, and
 * must not clear another's results by a mistyped `--out`.
 *
 * @example
 * ```ts
 * await refuseOtherCommandsRun('/abs/pofa-transfer', '--out pofa-transfer', 'compress', false); // OutputError: holds a pofa transfer run
 * ```
 */
export async function refuseOtherCommandsRun(dir: string, label: string, command: string, force: boolean): Promise<void> {
  if (force) return;
  const saved: unknown = await readFile(join(dir, 'run.json'), 'utf8').then((text) => JSON.parse(text) as unknown, () => undefined);
  const other = saved !== null && typeof saved === 'object' && 'command' in saved && typeof saved.command === 'string' && saved.command !== command ? saved.command.slice(0, 40) : undefined;
  if (other === undefined) return;
  const state = (saved as { completed?: unknown }).completed === true ? 'a finished' : 'an unfinished';
  throw new OutputError(`${label} holds ${state} pofa ${other} run, which pofa ${command} would replace`, {
    code: 'POFA_OUTPUT_EXISTS',
    hint: 'Choose another --out, or pass --force to replace it',
  });
}

/**
 * Checks a run folder (`--out DIR`, `fallback` without it) and `--json FILE` before any work
 * (see `checkRunFolder`; a run of another command is refused, see {@link refuseOtherCommandsRun}),
 * so a wrong path fails at once rather than after training.
 *
 * @example
 * ```ts
 * const { json } = await checkRunOutputs(options, io, 'pofa-out', 'compress');
 * ```
 */
export async function checkRunOutputs(options: OptionValues, io: CliIo, fallback: string, command: string): Promise<{ json: OutputTarget | undefined }> {
  const out = text(options.out) ?? fallback;
  await checkRunFolder(resolve(io.cwd, out), { label: `--out ${out}`, force: options.force === true, resume: options.resume === true });
  if (options.resume !== true) await refuseOtherCommandsRun(resolve(io.cwd, out), `--out ${out}`, command, options.force === true);
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

/**
 * Checks, before any work, the cache of vocabularies and teachers (`--cache DIR`, else
 * `$POFA_CACHE`, else `~/.cache/pofa`) as an output folder: not a file, not on `/proc`, `/sys` or
 * `/dev`, and a folder pofa may create and write. The message names where the path came from
 * (the default: the folder itself; `--cache` or `POFA_CACHE` choose another).
 *
 * @example
 * ```ts
 * await checkCacheFolder(options, io); // OutputError for --cache /proc/x, FileSystemError for --cache notes.txt
 * ```
 */
export async function checkCacheFolder(options: OptionValues, io: CliIo): Promise<void> {
  const option = text(options.cache);
  const dir = resolveCacheDir(option, io.env, io.cwd);
  const fromEnvironment = io.env.POFA_CACHE !== undefined && io.env.POFA_CACHE !== '';
  const label = option !== undefined && option !== '' ? `--cache ${option}` : fromEnvironment ? `POFA_CACHE=${io.env.POFA_CACHE}` : `the cache folder ${dir}`;
  await checkOutputTarget(dir, { kind: 'folder', label, force: true, createParents: true });
}
