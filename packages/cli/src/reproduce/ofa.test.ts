import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@pofa/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { widthKey } from './ofa-report';
import { reproduceOfa } from './ofa-run';
import { OFA_SCALES } from './ofa-scales';

let out: string;
beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  out = await mkdtemp(join(tmpdir(), 'pofa-ofa-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('ofa at the smoke scale', () => {
  it('exports PaddleSlim widths with the heads, FFN and parameters they keep, a metric and a latency each', async () => {
    const { rows, files } = await reproduceOfa({ scale: 'smoke', out });
    const { hidden, heads, layers } = OFA_SCALES.smoke;
    const ffn = 4 * hidden;
    expect(rows.map((row) => row.width)).toEqual([1, 0.833, 0.667, 0.5]);
    // Heads: Python round (ties to even) of width × 4 → 4, 3, 3, 2; FFN: heads × 64 / 4.
    expect(rows.map((row) => row.heads)).toEqual([4, 3, 3, 2]);
    expect(rows.map((row) => row.intermediate)).toEqual([64, 48, 48, 32]);
    // Each layer loses (4 - heads) heads of size 4 from Q, K, V (rows + bias) and the attention output (columns),
    // and (64 - ffn) neurons from the FFN (a row + bias in, a column out).
    const headSize = hidden / heads;
    const removed = (row: (typeof rows)[number]) =>
      layers * (3 * (heads - row.heads) * headSize * (hidden + 1) + (heads - row.heads) * headSize * hidden + (ffn - row.intermediate) * (2 * hidden + 1));
    for (const row of rows) expect(row.parameters).toBe(rows[0].parameters - removed(row));
    const json = JSON.parse(await readFile(join(out, 'ofa-smoke.json'), 'utf8'));
    expect(json.teacher.parameters).toBe(rows[0].parameters);
    expect(json.supernetLoss.first).toBeGreaterThan(0);
    expect(json.supernetLoss.final).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.value).toBeGreaterThan(0);
      expect(row.value).toBeLessThanOrEqual(1);
      expect(row.retention).toBeCloseTo(row.value / json.teacher.value, 12);
      expect(row.latencyMs).toBeGreaterThan(0);
    }
    const markdown = await readFile(join(out, 'ofa-smoke.md'), 'utf8');
    expect(markdown).toContain('| 0.667 | 3 | 48 |');
    expect(markdown).toContain('81M'); // PaddleSlim's width-0.667 BERT-base
    expect(files).toHaveLength(2);
  });

  it('reruns fine-tuning and the supernet when the fine-tuning steps change, and keeps pre-training', async () => {
    const work = join(out, 'work', 'ofa-smoke');
    const read = (stage: string, file: string): Promise<string> => readFile(join(work, stage, file), 'utf8');
    const marker = join(work, 'supernet', 'marker');
    const smoke = OFA_SCALES.smoke;
    const saved = { latencyRuns: smoke.latencyRuns, teacherFinetune: smoke.steps.teacherFinetune };
    const pretrained = await read('pretrained', 'done.json');
    const finetuned = await read('finetuned', 'done.json');
    await writeFile(marker, 'a file of the supernet stage');
    try {
      // The latency runs are part of no stage: every stage folder is kept, the supernet's included.
      smoke.latencyRuns = saved.latencyRuns + 1;
      await reproduceOfa({ scale: 'smoke', out });
      expect(await read('finetuned', 'done.json')).toBe(finetuned);
      expect(existsSync(marker)).toBe(true);
      smoke.steps.teacherFinetune = saved.teacherFinetune - 1;
      await reproduceOfa({ scale: 'smoke', out });
    } finally {
      smoke.latencyRuns = saved.latencyRuns;
      smoke.steps.teacherFinetune = saved.teacherFinetune;
    }
    expect(await read('pretrained', 'done.json')).toBe(pretrained);
    const refinetuned = JSON.parse(await read('finetuned', 'done.json'));
    expect(refinetuned.identity).not.toBe(JSON.parse(finetuned).identity);
    // The supernet's folder was emptied for its new teacher, whose identity it records.
    expect(existsSync(marker)).toBe(false);
    expect(JSON.parse(await read('supernet', 'identity.json')).identity.finetuned).toBe(refinetuned.identity);
  });

  it('names widths as PaddleSlim does', () => {
    expect([1, 5 / 6, 2 / 3, 0.5].map(widthKey)).toEqual(['1.0', '0.833', '0.667', '0.5']);
  });
});
