import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli';
import { createTestIo } from '../cli/test-io';
import { PRUNE_OFA_VARIANTS } from '../reproduce/prune-ofa-scales';
import { COMMANDS } from './index';

// The CI requirement: `pofa reproduce --scale tiny` end to end, on the backend the
// command picks (pofa-native where the addon is built, as in CI). A few minutes on 2 cores.
interface PruneOfaRow { model: string; variant: string; task: string; metric: string; value: number; sparsity: number; retention: number }
interface OfaRow { width: number; parameters: number; encoderParameters: number; value: number; retention: number; latencyMs: number }

const NOMINAL: Record<string, number> = { dense: 0, '85': 0.85, '90': 0.9, '85+qat': 0.85, '90+qat': 0.9 };

let cwd: string;
let code: number;
let out: string;
beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'pofa-reproduce-tiny-'));
  const io = createTestIo(cwd);
  code = await runCli(['reproduce', '--scale', 'tiny', '--out', 'results'], io, COMMANDS);
  out = io.out() + io.err();
}, 900_000);
afterAll(async () => {
  await rm(cwd, { recursive: true, force: true });
});

describe('pofa reproduce --scale tiny', () => {
  it('runs both benchmarks and says where their files went', () => {
    expect(code, out).toBe(0);
    for (const file of ['prune-ofa-tiny.json', 'prune-ofa-tiny.md', 'prune-ofa-tiny-spam.svg', 'ofa-tiny.json', 'ofa-tiny.md']) expect(out).toContain(file);
  });

  it('fills the Prune OFA table: every model × variant, measured sparsity at the target, retention = value / dense value', async () => {
    const report = JSON.parse(await readFile(join(cwd, 'results', 'prune-ofa-tiny.json'), 'utf8')) as { rows: PruneOfaRow[]; models: Array<{ name: string }> };
    expect(report.rows).toHaveLength(report.models.length * PRUNE_OFA_VARIANTS.length);
    for (const row of report.rows) {
      expect(Math.abs(row.sparsity - NOMINAL[row.variant]), `${row.model} ${row.variant}`).toBeLessThan(0.01);
      const dense = report.rows.find((candidate) => candidate.model === row.model && candidate.variant === 'dense')!;
      expect(row.retention).toBeCloseTo(row.value / dense.value, 12);
    }
    // The dense BERT-Base analogue learns the task: spam F1 well above the all-ham baseline (0).
    expect(report.rows.find((row) => row.model === 'bert-base' && row.variant === 'dense')!.value).toBeGreaterThan(0.5);
    const markdown = await readFile(join(cwd, 'results', 'prune-ofa-tiny.md'), 'utf8');
    expect(markdown).toContain('paper MNLI-m');
    expect((await readFile(join(cwd, 'results', 'prune-ofa-tiny-spam.svg'), 'utf8')).startsWith('<svg')).toBe(true);
  });

  it('fills the OFA table: the four widths, fewer parameters at each narrower width', async () => {
    const report = JSON.parse(await readFile(join(cwd, 'results', 'ofa-tiny.json'), 'utf8')) as { rows: OfaRow[] };
    expect(report.rows.map((row) => row.width)).toEqual([1, 0.833, 0.667, 0.5]);
    for (let i = 1; i < report.rows.length; i++) expect(report.rows[i].encoderParameters).toBeLessThan(report.rows[i - 1].encoderParameters);
    for (const row of report.rows) expect(row.latencyMs).toBeGreaterThan(0);
  });
});
