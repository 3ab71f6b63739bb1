import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, tf, writeSafetensors } from '@pofa/core';
import { writeSyntheticCheckpoint } from '@pofa/models/testing';
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

  it('reports a Hugging Face directory: family, task, dtype, sparsity per encoder layer', async () => {
    const checkpoint = join(dir, 'half');
    const { parameters } = await writeSyntheticCheckpoint(checkpoint, { family: 'distilbert', task: 'question-answering', layers: 3, hidden: 32, heads: 2, vocabSize: 300, sparsity: 0.75, dtype: 'BF16' });
    const io = createTestIo(dir);
    expect(await runCli(['inspect', 'half', '--json'], io, COMMANDS)).toBe(0);
    const report = JSON.parse(io.out());
    expect(report).toMatchObject({ family: 'distilbert', task: 'question-answering', supported: true, dtypes: ['BF16'], parameters });
    expect(report.layers).toEqual([0, 1, 2].map((layer) => ({ layer, parameters: 4 * 32 * 32 + 2 * 32 * 128, sparsity: 0.75 })));
    expect(report.encoder).toEqual({ parameters: 3 * (4 * 32 * 32 + 2 * 32 * 128), sparsity: 0.75 });
    const config = JSON.parse(await readFile(join(checkpoint, 'config.json'), 'utf8'));
    await writeFile(join(checkpoint, 'config.json'), JSON.stringify({ ...config, model_type: 'roberta', architectures: ['RobertaForQuestionAnswering'] }));
    const table = createTestIo(dir);
    expect(await runCli(['inspect', 'half'], table, COMMANDS)).toBe(0);
    expect(table.out()).toContain('roberta RobertaForQuestionAnswering (pofa cannot load this architecture): 3 layers, hidden 32');
    expect(table.out()).toMatch(/\| 2 +\| 12288 +\| 75\.00% +\|/);
  });

  it('answers a file that is not safetensors with one message and exit 1', async () => {
    const io = createTestIo(dir);
    expect(await runCli(['inspect', join(__dirname, '..', '__fixtures__', 'typo-recipe.yaml')], io, COMMANDS)).toBe(1);
    expect(io.err()).toMatch(/^pofa: /);
    expect(io.err()).not.toContain('    at ');
  });
});
