import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '@pofa/core';
import { DataFormatError } from '../errors/index';
import { GLUE_LAYOUTS, type GlueTaskName } from '../formats/index';

/**
 * The files of one GLUE task a run reads: `train`, the split scored as `test`, and MNLI's mismatched dev split.
 *
 * @example
 * ```ts
 * const folder: GlueFolder = await resolveGlueFolder('sst2', 'glue_data'); // { dir: 'glue_data/SST-2', train: 'train', test: 'dev' }
 * ```
 */
export interface GlueFolder {
  /** The task's folder (`glue_data/SST-2`). */
  dir: string;
  /** The split names (file names without `.tsv`) of the training and the scored files. */
  train: 'train';
  test: 'dev' | 'dev_matched';
  /** MNLI only, when `dev_mismatched.tsv` is there. */
  testMismatched?: 'dev_mismatched';
}

async function fileSize(path: string): Promise<number | undefined> {
  try {
    const info = await stat(path);
    return info.isFile() ? info.size : undefined;
  } catch {
    return undefined;
  }
}

async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The error for a GLUE or SQuAD file that holds no examples (empty, or a header alone).
 *
 * @example
 * ```ts
 * throw emptyTaskFile('glue_data/SST-2/dev.tsv', 'the GLUE SST-2 dev split');
 * ```
 */
export function emptyTaskFile(path: string, what: string): DataFormatError {
  return new DataFormatError(`${path} has no examples`, {
    expected: `${what}, one example per line after the header`,
    received: 'an empty file (or only its header)',
    hint: 'The copy was cut short: fetch the file again (GLUE: download_glue_data.py)',
  });
}

/**
 * Finds the official files of a GLUE task under `dir`: either the task's own folder
 * (`glue_data/SST-2`, holding `train.tsv` and `dev.tsv`; MNLI `dev_matched.tsv` and, optionally,
 * `dev_mismatched.tsv`) or the folder above it (`glue_data`, which holds `SST-2/`). A missing
 * folder or file is one {@link ConfigError} naming the folder, the missing file and the fix; an
 * empty file is a `DataFormatError`.
 *
 * @example
 * ```ts
 * await resolveGlueFolder('mnli', 'glue_data'); // { dir: 'glue_data/MNLI', train: 'train', test: 'dev_matched', testMismatched: 'dev_mismatched' }
 * ```
 */
export async function resolveGlueFolder(task: GlueTaskName, dir: string): Promise<GlueFolder> {
  const { folder: name } = GLUE_LAYOUTS[task];
  const test = task === 'mnli' ? 'dev_matched' : 'dev';
  const own = (await fileSize(join(dir, 'train.tsv'))) !== undefined || (await fileSize(join(dir, `${test}.tsv`))) !== undefined;
  const folder = !own && (await isFolder(join(dir, name))) ? join(dir, name) : dir;
  if (!(await isFolder(folder))) {
    throw new ConfigError(`The GLUE ${name} folder ${dir} does not exist`, {
      expected: `a folder holding train.tsv and ${test}.tsv (or the glue_data folder holding ${name}/)`,
      received: 'no such folder',
      hint: 'Pass --data the folder download_glue_data.py wrote for the task, e.g. glue_data/' + name,
    });
  }
  const required = ['train', test] as const;
  const sizes = await Promise.all(required.map((split) => fileSize(join(folder, `${split}.tsv`))));
  const missing = required.filter((_, index) => sizes[index] === undefined).map((split) => `${split}.tsv`);
  if (missing.length > 0) {
    throw new ConfigError(`The GLUE ${name} folder ${folder} has no ${missing.join(' and no ')}`, {
      expected: `${required.map((split) => `${split}.tsv`).join(' and ')} in ${folder} (the official layout)`,
      received: `missing ${missing.join(', ')}`,
      hint: `Copy ${missing.join(' and ')} of GLUE ${name} into ${folder} (download_glue_data.py writes them), or point --data at the folder that has them`,
    });
  }
  required.forEach((split, index) => {
    if (sizes[index] === 0) throw emptyTaskFile(join(folder, `${split}.tsv`), `the GLUE ${name} ${split} split`);
  });
  const mismatched = task === 'mnli' && (await fileSize(join(folder, 'dev_mismatched.tsv'))) !== undefined;
  return { dir: folder, train: 'train', test, ...(mismatched ? { testMismatched: 'dev_mismatched' as const } : {}) };
}
