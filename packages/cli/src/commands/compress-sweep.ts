import { readdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { ConfigError, makeFolders, writeFileAtomic } from '@pofa/core';
import type { CliIo, OptionValues } from '../cli/command';
import { UsageError } from '../errors/usage-error';
import { initCliBackend } from '../pipeline/backend';
import { checkOutputTarget, writeOutputFile } from '../pipeline/output-target';
import { formatReportTable } from '../pipeline/report-table';
import { checkRunFolder } from '../run-folder';
import { runSweep, type SweepResult, type SweepRow } from '../sweep/run-sweep';
import { runSweepOnQueue, sweepRows } from '../sweep/sweep-queue';
import { checkRedis } from '../queue/redis-connection';
import { queueOption } from './worker';
import { isSweepFile, readSweep, sweepCells, type SweepCell } from '../sweep/sweep-spec';
import { checkCacheFolder, checkJsonOutput } from './output-options';
import { compressOptionsFromCommandLine } from './compress';

/** The command-line option each sweep key replaces (a key swept and set by its option is a contradiction). */
const OPTION_OF: Record<string, string> = { sparsity: 'sparsity', pattern: 'pattern', seed: 'seed', 'per-channel': 'per-channel', int8: 'int8' };

/**
 * The cells of `pofa compress --sweep …`: its arguments read ({@link readSweep}), a mistake in
 * them a {@link UsageError} (a sweep file that cannot be read stays a `ConfigError`), and an
 * option that a swept key also sets refused.
 *
 * @example
 * ```ts
 * (await sweepFromCommandLine({}, ['sparsity=0.8,0.9'], '/work')).map((cell) => cell.name); // ['sparsity=0.8', 'sparsity=0.9']
 * ```
 */
export async function sweepFromCommandLine(options: OptionValues, args: readonly string[], cwd: string): Promise<SweepCell[]> {
  let cells: SweepCell[];
  try {
    cells = sweepCells(await readSweep(args, cwd));
  } catch (error) {
    const fromFile = args.length === 1 && isSweepFile(args[0]);
    if (ConfigError.isInstance(error) && !fromFile) throw new UsageError(error.message);
    throw error;
  }
  for (const key of Object.keys(cells[0]?.values ?? {})) {
    const option = OPTION_OF[key];
    if (options[option] !== undefined || (key === 'int8' && options['no-int8'] !== undefined)) {
      throw new UsageError(`--sweep ${key}=… and --${key === 'int8' && options['no-int8'] !== undefined ? 'no-int8' : option} both set ${key}`, { hint: `Drop one of them: the sweep gives every cell its ${key}` });
    }
  }
  return cells;
}

/** A folder an earlier sweep wrote (its `sweep.json`). */
async function holdsSweep(dir: string): Promise<boolean> {
  return (await readdir(dir).catch(() => [] as string[])).includes('sweep.json');
}

/** Prints each cell's table under its name, then the shared stages' reuse and where the runs are. */
function printSweep(result: SweepResult, io: CliIo, out: string): void {
  for (const { cell, result: cellResult } of result.cells) {
    io.stdout.write(`\n== ${cell.name} ==\n${formatReportTable(cellResult.rows)}`);
    const times = cellResult.timings.map((timing) => `${timing.stage} ${timing.seconds.toFixed(1)} s${timing.reused ? ' (reused)' : ''}`).join('; ');
    io.stdout.write(`Time per stage: ${times}\n`);
  }
  io.stdout.write(`\n${result.cells.length} cells; run folders: ${out}/<cell> (sweep.json lists them)\n`);
}

/**
 * `pofa compress --sweep …`: checks every output before any work (the sweep folder `--out`, each
 * cell's run folder, `--json`, the cache), runs the cells ({@link runSweep}; with `--queue`, on
 * `pofa worker`s: `runSweepOnQueue`), prints one table per cell and writes all rows, each with its
 * cell's values (`cell`), to `--json`.
 *
 * @example
 * ```ts
 * await runCli(['compress', '--scale', 'test', '--sweep', 'sparsity=0.8,0.9', '--json', 'rows.json'], io, COMMANDS);
 * ```
 */
export async function runCompressSweep(options: OptionValues, args: readonly string[], io: CliIo): Promise<number> {
  const base = compressOptionsFromCommandLine(options);
  const cells = await sweepFromCommandLine(options, args, io.cwd);
  const location = queueOption(options);
  if (location !== undefined) await checkRedis(location);
  const outText = typeof options.out === 'string' ? options.out : 'pofa-out';
  const out = resolve(io.cwd, outText);
  const force = options.force === true;
  await checkOutputTarget(out, { kind: 'folder', label: `--out ${outText}`, force: force || options.resume === true, ownedByPofa: holdsSweep });
  // Cell folders are checked where the sweep folder exists (a new one holds none yet).
  if (await holdsSweep(out)) for (const cell of cells) await checkRunFolder(join(out, cell.name), { label: `--out ${outText} (cell ${cell.name})`, force, resume: options.resume === true });
  const json = await checkJsonOutput(options, io);
  const say = (line: string): void => void io.stderr.write(`pofa: ${line}\n`);
  let rows: SweepRow[];
  if (location !== undefined) {
    // On a queue the teacher cache is shared by the workers: by default in the sweep folder.
    const shared = { ...base, cache: typeof options.cache === 'string' ? resolve(io.cwd, options.cache) : join(out, 'cache') };
    await checkOutputTarget(shared.cache, { kind: 'folder', label: `--cache ${shared.cache}`, force: true, createParents: true });
    await makeFolders(out);
    const results = await runSweepOnQueue(shared, cells, String(options.queue), { cwd: io.cwd, say, ...(io.signal === undefined ? {} : { signal: io.signal }) });
    for (const { cell, rows: cellRows } of results) io.stdout.write(`\n== ${cell.name} ==\n${formatReportTable(cellRows)}`);
    io.stdout.write(`\n${results.length} cells; run folders: ${relative(io.cwd, out) || out}/<cell> (sweep.json lists them)\n`);
    rows = sweepRows(results);
  } else {
    await checkCacheFolder(options, io);
    await initCliBackend();
    await makeFolders(out);
    const result = await runSweep(base, cells, { progress: io.stderr, env: io.env, cwd: io.cwd, signal: io.signal }, say);
    printSweep(result, io, relative(io.cwd, out) || out);
    rows = result.rows;
  }
  if (json !== undefined) {
    await writeOutputFile(json, (file) => writeFileAtomic(file, `${JSON.stringify(rows, null, 2)}\n`));
    io.stdout.write(`Rows written to ${relative(io.cwd, json.path) || json.path}\n`);
  }
  return 0;
}
