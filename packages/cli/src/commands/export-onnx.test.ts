import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENCODER_LINEAR_WEIGHTS, initBackend, writeSafetensors } from '@pofa/core';
import { savePretrained, saveVocab } from '@pofa/models';
import { exportInt8 } from '@pofa/quant';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestIo } from '../cli/test-io';
import { runCli } from '../cli/run-cli';
import { batch, fakeQuantize, maxDifference, onnxOutputs, rowArgmax, smallBert, tfjsOutputs, VOCAB } from '../../../onnx/src/__fixtures__/onnx-models';
import { readOnnx } from '../../../onnx/src/__fixtures__/read-onnx';
import { COMMANDS } from './index';

async function cli(cwd: string, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = createTestIo(cwd);
  const code = await runCli(argv, io, COMMANDS);
  return { code, out: io.out(), err: io.err() };
}

const inputs = batch(3);

/**
 * A finished run folder as `pofa compress` leaves it, written directly (a real run takes a minute):
 * run.json, models.json, vocab.txt, the dense and sparse models, and the sparse-int8 stage (the
 * fake-quantized weights in fp32 and model-int8.safetensors with the QAT scales and input ranges).
 */
async function writeRun(dir: string): Promise<{ dense: Float32Array; quantized: Float32Array; int8: ReturnType<typeof exportInt8>['tensors'] }> {
  const run = join(dir, 'run');
  const dense = smallBert('sequence-classification', 21);
  const quantized = smallBert('sequence-classification', 22);
  const installed = fakeQuantize(quantized, false);
  const { tensors, metadata } = exportInt8(quantized, { targets: { include: [...ENCODER_LINEAR_WEIGHTS] }, perChannel: false, activationRanges: installed.activationRanges() });
  await savePretrained(dense, join(run, 'teacher'));
  await savePretrained(dense, join(run, 'sparse-transfer', 'model'));
  await savePretrained(quantized, join(run, 'quantize', 'model'));
  await writeSafetensors(join(run, 'quantize', 'model-int8.safetensors'), tensors, metadata);
  await saveVocab(join(run, 'vocab.txt'), Array.from({ length: VOCAB }, (_, index) => `token${index}`));
  const models = { dense: 'teacher', sparse: 'sparse-transfer/model', 'sparse-int8': 'quantize/model', 'sparse-int8-safetensors': 'quantize/model-int8.safetensors', vocab: 'vocab.txt', bundles: {} };
  await writeFile(join(run, 'models.json'), JSON.stringify(models));
  await writeFile(join(run, 'run.json'), JSON.stringify({ command: 'compress', settings: {}, completed: true }));
  const logits = { dense: tfjsOutputs(dense, inputs).logits, quantized: tfjsOutputs(quantized, inputs).logits };
  dense.dispose();
  quantized.dispose();
  return { ...logits, int8: tensors };
}

describe('pofa export --format onnx', () => {
  let dir: string;
  let expected: Awaited<ReturnType<typeof writeRun>>;
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    dir = await mkdtemp(join(tmpdir(), 'pofa-export-onnx-'));
    expected = await writeRun(dir);
  });

  it('writes a run\'s sparse-int8 stage as a QDQ graph with the QAT int8 weights and input scales', async () => {
    const { code, out } = await cli(dir, ['export', 'run', '--format', 'onnx']);
    expect(code).toBe(0);
    const path = join(dir, 'run', 'export', 'sparse-int8.onnx');
    expect(out).toBe(`Written ${path} (${(await stat(path)).size} bytes)\n`);
    const bytes = new Uint8Array(await readFile(path));
    const read = readOnnx(bytes);
    expect(read.metadata['pofa.quantization']).toBe('qdq-int8');
    expect(read.metadata['pofa.source']).toBe(`${join(dir, 'run')} (sparse-int8)`);
    for (const [name, tensor] of Object.entries(expected.int8).filter(([, tensor]) => tensor.dtype === 'I8')) {
      expect(new Int8Array(read.initializers.get(name)!.raw.buffer)).toEqual(tensor.data);
    }
    expect(read.nodes.filter((node) => node.opType === 'QuantizeLinear')).toHaveLength(12);
    // The fake-quantized tfjs model, but for a rounding tie (see packages/onnx/src/export-onnx.test.ts).
    const logits = (await onnxOutputs(bytes, inputs)).logits;
    expect(maxDifference(logits, expected.quantized)).toBeLessThan(0.5);
    expect(rowArgmax(logits, 2)).toEqual(rowArgmax(expected.quantized, 2));
  });

  it('writes the dense stage in fp32, to --out', async () => {
    const { code } = await cli(dir, ['export', 'run', '--format', 'onnx', '--stage', 'dense', '--out', 'dense.onnx']);
    expect(code).toBe(0);
    const bytes = new Uint8Array(await readFile(join(dir, 'dense.onnx')));
    expect(readOnnx(bytes).metadata['pofa.quantization']).toBe('fp32');
    expect(maxDifference((await onnxOutputs(bytes, inputs)).logits, expected.dense)).toBeLessThan(1e-4);
  });

  it('writes int8 weights with fp32 inputs for --int8, beside a Hugging Face directory', async () => {
    const { code, out } = await cli(dir, ['export', join('run', 'sparse-transfer', 'model'), '--format', 'onnx', '--int8']);
    expect(code).toBe(0);
    const path = join(dir, 'run', 'sparse-transfer', 'model.onnx');
    expect(out).toContain(`Written ${path}`);
    const read = readOnnx(new Uint8Array(await readFile(path)));
    expect(read.metadata['pofa.quantization']).toBe('int8-weights');
    expect(read.nodes.filter((node) => node.opType === 'DequantizeLinear').map((node) => node.attributes.axis?.int)).toEqual(Array(12).fill(0));
    expect(read.nodes.filter((node) => node.opType === 'QuantizeLinear')).toHaveLength(0);
  });

  it('answers option mistakes, and lists onnx in the help', async () => {
    const layout = await cli(dir, ['export', 'run', '--format', 'onnx', '--layout', 'csr']);
    expect([layout.code, layout.err]).toEqual([2, expect.stringContaining('--layout applies to --format pofa only')]);
    const format = await cli(dir, ['export', 'run', '--format', 'onnxx']);
    expect([format.code, format.err]).toEqual([2, expect.stringContaining('one of hf, pofa, onnx')]);
    const int8 = await cli(dir, ['export', 'run', '--format', 'hf', '--int8']);
    expect(int8.code).toBe(2);
    expect((await cli(dir, ['export', '--help'])).out).toContain('pofa export SOURCE --format hf|pofa|onnx');
  });
});
