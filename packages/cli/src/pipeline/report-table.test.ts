import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatReportTable, reportRowSchema, writeReportJson, type ReportRow } from './report-table';

const rows: ReportRow[] = [
  { stage: 'dense', task: 'spam', metric: 'f1', value: 0.9, runtimeValue: 0.9, sparsity: 0, encoderBytesNominal: 2 * 1024 * 1024, encoderBytesOnDisk: 2048, bundleBytes: 4096, latencyMs: 4, speedup: 1 },
  { stage: 'sparse', task: 'spam', metric: 'f1', value: 0.88, runtimeValue: null, sparsity: 0.9, encoderBytesNominal: 1024, encoderBytesOnDisk: null, bundleBytes: null, latencyMs: 2, speedup: 2 },
];

describe('the report table', () => {
  it('prints one line per row, with "not measured" for nulls', () => {
    const lines = formatReportTable(rows).trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toMatch(/\| dense +\| spam \| f1 +\| 0\.9000 \| 0\.9000 +\| 0\.00% +\| 2\.00 MiB +\| 2\.0 KiB +\| 4\.0 KiB +\| 4\.00 ms \| 1\.00x +\|/);
    expect(lines[3]).toMatch(/\| sparse +\| spam \| f1 +\| 0\.8800 \| not measured +\| 90\.00% +\|/);
    expect(lines[3]).toContain('not measured');
  });

  it('writes JSON rows with exactly the documented keys', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'pofa-json-')), 'rows.json');
    await writeReportJson(path, rows);
    const written = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>[];
    expect(written).toEqual(rows);
    expect(Object.keys(written[0]).sort()).toEqual([
      'bundleBytes', 'encoderBytesNominal', 'encoderBytesOnDisk', 'latencyMs', 'metric', 'runtimeValue', 'sparsity', 'speedup', 'stage', 'task', 'value',
    ]);
  });

  it('rejects a row with an unknown stage or an extra key', async () => {
    expect(() => reportRowSchema.parse({ ...rows[0], stage: 'int8' })).toThrow();
    expect(() => reportRowSchema.parse({ ...rows[0], extra: 1 })).toThrow();
    await expect(writeReportJson(join(tmpdir(), 'never.json'), [{ ...rows[0], speedup: -1 }])).rejects.toThrow();
  });
});
