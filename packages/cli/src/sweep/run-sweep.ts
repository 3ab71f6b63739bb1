import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { makeFolders, writeFileAtomic } from '@pofa/core';
import { runCompress, type CompressIo, type CompressResult } from '../pipeline/compress';
import type { CompressOptions } from '../pipeline/compress-options';
import type { ReportRow } from '../pipeline/report-table';
import type { SweepCell, SweepValue } from './sweep-spec';

/** A row of a sweep's table: a `pofa compress` row and the values of its cell. */
export type SweepRow = { cell: Record<string, SweepValue> } & ReportRow;

/** What {@link runSweep} returns: each cell's compress result, and the rows of all cells in cell order. */
export interface SweepResult {
  cells: Array<{ cell: SweepCell; result: CompressResult }>;
  rows: SweepRow[];
}

/**
 * The `pofa compress` options of one cell: the shared options with the cell's values, its run
 * folder `<out>/<cell name>`, and `resume` only where that folder holds a run already.
 *
 * @example
 * ```ts
 * await cellOptions({ scale: 'test', out: 'sweep', resume: true }, cell, '/work'); // { scale: 'test', sparsity: 0.9, out: '/work/sweep/sparsity=0.9', resume: false }
 * ```
 */
export async function cellOptions(base: CompressOptions, cell: SweepCell, cwd: string): Promise<CompressOptions> {
  const out = join(resolve(cwd, base.out ?? 'pofa-out'), cell.name);
  const started = await readFile(join(out, 'run.json')).then(() => true, () => false);
  return { ...base, ...cell.options, out, resume: base.resume === true && started };
}

/**
 * Runs the cells of a sweep of `pofa compress` one after the other, each in its run folder
 * `<out>/<cell name>` (`<out>/sparsity=0.9,pattern=4x1`). The stages cells share are made once:
 * the vocabulary, the teacher pre-training and its fine-tuning live in the cache (`cache`), keyed
 * by their identity, so the second cell with the same seed and task finds them there; the stages
 * of a cell (sparse pre-training, transfer, QAT, bundles) are its own. `<out>/sweep.json` lists
 * the cells; `say` hears one line per cell.
 *
 * @example
 * ```ts
 * const { rows } = await runSweep({ scale: 'test', out: 'sweep' }, sweepCells(await readSweep(['sparsity=0.8,0.9'], cwd)), io, console.error);
 * ```
 */
export async function runSweep(base: CompressOptions, cells: readonly SweepCell[], io: CompressIo, say: (line: string) => void): Promise<SweepResult> {
  const out = resolve(io.cwd, base.out ?? 'pofa-out');
  await makeFolders(out);
  await writeFileAtomic(join(out, 'sweep.json'), `${JSON.stringify({ cells: cells.map(({ name, values }) => ({ name, values })) }, null, 2)}\n`);
  const results: SweepResult['cells'] = [];
  for (const [index, cell] of cells.entries()) {
    say(`sweep cell ${index + 1}/${cells.length}: ${cell.name}`);
    results.push({ cell, result: await runCompress(await cellOptions(base, cell, io.cwd), io) });
  }
  return { cells: results, rows: results.flatMap(({ cell, result }) => result.rows.map((row) => ({ cell: cell.values, ...row }))) };
}
