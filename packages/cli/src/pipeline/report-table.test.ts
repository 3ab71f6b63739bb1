import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baselineNote, baselineRow, formatReportTable, keptStepLine, reportRowSchema, writeReportJson, type ReportRow } from './report-table';
import { EMBEDDED_TASK_SPECIFICATIONS, type RunTask } from '@pofa/tasks';

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

  it('prints the baseline row with dashes, and a note when it scores at least as well as every transformer row', () => {
    const baseline: ReportRow = { stage: 'baseline', task: 'spam', metric: 'f1', value: 0.95, runtimeValue: null, sparsity: null, encoderBytesNominal: null, encoderBytesOnDisk: null, bundleBytes: null, latencyMs: null, speedup: null };
    const lines = formatReportTable([baseline, ...rows]).trimEnd().split('\n');
    expect(lines[2]).toMatch(/^\| baseline \| spam \| f1 +\| 0\.9500 \| — +\| — +\|/);
    expect(lines[5]).toBe('baseline: TF-IDF of words and word pairs + logistic regression (ridge for regression), on the same splits');
    expect(lines[6]).toBe('Note: on spam the TF-IDF baseline (f1 0.9500) scores at least as well as the best transformer row (dense, 0.9000).');
    expect(baselineNote([{ ...baseline, value: 0.85 }, ...rows])).toBeUndefined();
    expect(formatReportTable([{ ...baseline, value: 0.85 }, ...rows]).trimEnd().split('\n')).toHaveLength(6);
  });

  it('computes the baseline row of a classification task, none for span QA', () => {
    const words = ['rain cloud storm', 'goal team match'];
    const examples = (count: number) => Array.from({ length: count }, (_, index) => ({ text: `${words[index % 2]} day ${index}`, label: index % 2 === 0 ? 'weather' : 'sport' }));
    const task: RunTask = {
      kind: 'classification', name: 'topics', train: examples(20), validation: examples(6), test: examples(8), labels: ['weather', 'sport'], regression: false,
      specification: { ...EMBEDDED_TASK_SPECIFICATIONS['embedded/sotu-party'], labels: ['weather', 'sport'] }, identity: 'topics',
    };
    // Each class has its own three words: the linear model separates the test split exactly.
    expect(baselineRow(task)).toEqual({ stage: 'baseline', task: 'topics', metric: 'accuracy', value: 1, runtimeValue: null, sparsity: null, encoderBytesNominal: null, encoderBytesOnDisk: null, bundleBytes: null, latencyMs: null, speedup: null });
    expect(baselineRow({ kind: 'span', name: 'squad', train: [], validation: [], test: [], specification: task.specification, identity: 'squad' })).toBeUndefined();
  });

  it('names the stage whose best step it reports', () => {
    const kept = { step: 500, steps: 1250, metric: 'f1', value: 0.93456 };
    expect(keptStepLine(kept)).toBe('Sparse transfer kept step 500 of 1250, the best on the validation split (f1 0.9346)');
    expect(keptStepLine(kept, 'Teacher fine-tuning')).toBe('Teacher fine-tuning kept step 500 of 1250, the best on the validation split (f1 0.9346)');
  });
});
