import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMaskTransform, initBackend, selectTargets, tf, type RawTensor } from '@pofa/core';
import { BertModel } from '@pofa/models';
import { magnitudeMask } from '@pofa/prune';
import { createWeightFakeQuantTransform, dequantizeInt8, exportInt8 } from '@pofa/quant';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unpackWeight } from '../formats/unpack-weight';
import { isPackedWeight } from './bundle-types';
import { exportBundle } from './export-bundle';
import { readBundle } from './read-bundle';

let directory: string;
beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  directory = await mkdtemp(join(tmpdir(), 'pofa-quant-bundle-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** Per-row scales of an int8 export, by weight name (a per-tensor scale repeated per row). */
function weightScales(tensors: Record<string, RawTensor>): Record<string, Float32Array> {
  const scales: Record<string, Float32Array> = {};
  for (const [name, tensor] of Object.entries(tensors)) {
    if (!name.endsWith('.weight_scale')) continue;
    const weight = name.replace(/_scale$/, '');
    const rows = tensors[weight].shape[0];
    const values = tensor.data as Float32Array;
    scales[weight] = values.length === rows ? Float32Array.from(values) : new Float32Array(rows).fill(values[0]);
  }
  return scales;
}

describe('a bundle from @pofa/quant\'s int8 export', () => {
  it.each([
    ['per channel', true, 'csr'],
    ['per tensor', false, 'block'],
  ] as const)('stores exactly the exported int8 weights (%s, %s)', async (_label, perChannel, format) => {
    const model = new BertModel(
      { vocab_size: 40, hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 64, max_position_embeddings: 16 },
      { task: 'sequence-classification', seed: 3 },
    );
    const targets = selectTargets(model);
    for (const [, parameter] of targets) {
      parameter.addTransform(createMaskTransform(tf.tidy(() => magnitudeMask(parameter.variable, { sparsity: 0.9, pattern: format === 'block' ? '4x1' : 'unstructured' }))));
      parameter.addTransform(createWeightFakeQuantTransform({ bits: 8, perChannel }));
    }
    const { tensors } = exportInt8(model);
    const expected = dequantizeInt8(tensors);
    const path = join(directory, `model-${format}.pofa`);
    await exportBundle(model, path, { format, int8: { scales: weightScales(tensors) } });
    const bundle = await readBundle(path);
    for (const [name] of targets) {
      const stored = bundle.tensors.get(name);
      expect(stored !== undefined && isPackedWeight(stored), name).toBe(true);
      if (stored === undefined || !isPackedWeight(stored)) continue;
      expect(stored.dtype).toBe('int8');
      // q × scale in fp32 on both sides: equal only if every int8 value and scale is equal.
      expect(Array.from(unpackWeight(stored)), name).toEqual(Array.from(expected[name].data as Float32Array));
    }
    model.dispose();
  });
});
