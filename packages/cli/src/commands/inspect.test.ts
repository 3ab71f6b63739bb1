import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, tf, writeSafetensors } from '@pofa/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestIo } from '../cli/test-io';
import { runCli } from '../cli/run-cli';
import { COMMANDS } from './index';

describe('pofa inspect', () => {
  let dir: string;
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    dir = await mkdtemp(join(tmpdir(), 'pofa-inspect-'));
  });

  it('reports per-tensor dtype, bits, sparsity and bytes, and the file size', async () => {
    const path = join(dir, 'model.safetensors');
    const weight = tf.tensor2d([[0, 1, 0, -0], [2, 0, 0, 3]]); // 5 zeros of 8 (-0 counts)
    const bias = tf.tensor1d([1, 2], 'int32');
    await writeSafetensors(path, { 'layer.weight': weight, 'layer.bias': bias }, { note: 'test' });
    tf.dispose([weight, bias]);
    const io = createTestIo(dir);
    expect(await runCli(['inspect', 'model.safetensors', '--json'], io, COMMANDS)).toBe(0);
    const report = JSON.parse(io.out());
    expect(report.fileBytes).toBe((await stat(path)).size);
    expect(report.nominalBytes).toBe(8 * 4 + 2 * 4);
    expect(report.metadata).toEqual({ note: 'test' });
    expect(report.tensors).toEqual([
      { name: 'layer.bias', dtype: 'I32', shape: [2], bits: 32, sparsity: 0, nominalBytes: 8 },
      { name: 'layer.weight', dtype: 'F32', shape: [2, 4], bits: 32, sparsity: 5 / 8, nominalBytes: 32 },
    ]);
    const table = createTestIo(dir);
    expect(await runCli(['inspect', path], table, COMMANDS)).toBe(0);
    expect(table.out()).toMatch(/\| layer\.weight \| F32 +\| \[2, 4\] \| 32 +\| 62\.50% +\| 32 +\|/);
  });

  it('answers a file that is not safetensors with one message and exit 1', async () => {
    const io = createTestIo(dir);
    expect(await runCli(['inspect', join(__dirname, '..', '__fixtures__', 'typo-recipe.yaml')], io, COMMANDS)).toBe(1);
    expect(io.err()).toMatch(/^pofa: /);
    expect(io.err()).not.toContain('    at ');
  });
});
