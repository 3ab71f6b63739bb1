import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMaskTransform, initBackend, MASK_TRANSFORM_KIND, tf, type MaskTransform } from '@pofa/core';
import { loadPretrained, savePretrained, type BertModel } from '@pofa/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disposeBatch, maxDifference, outputsOf, tinyBert, toyBatch, toyBert, toyDistilBert } from './__fixtures__/toy-models';
import { activeWidth, setActiveWidth } from './elastic-width';
import { exportSubModel } from './export-submodel';
import { supernetLayers } from './supernet-layers';
import { DEFAULT_WIDTH_MULTIPLIERS } from './width';

let dir: string;
beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  dir = await mkdtemp(join(tmpdir(), 'pofa-ofa-export-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/**
 * Parameters removed from each layer when `heads` of H heads (size d) and `ffn` of F neurons
 * stay, hidden D: Q, K, V lose (H - heads)·d rows of D weights + 1 bias, the attention output
 * loses (H - heads)·d columns of D; the FFN input loses (F - ffn) rows of D + 1, its output
 * (F - ffn) columns of D.
 */
function removedPerLayer(H: number, d: number, F: number, D: number, heads: number, ffn: number): number {
  return 3 * (H - heads) * d * (D + 1) + (H - heads) * d * D + (F - ffn) * (D + 1) + (F - ffn) * D;
}

describe('exportSubModel', () => {
  it.each([
    // [name, make, heads per width, FFN per width, head size, hidden]
    ['bert-tiny shape', () => tinyBert(21), [2, 2, 1, 1], [512, 512, 256, 256], 64, 128],
    ['4 heads', () => toyBert(22), [4, 3, 3, 2], [24, 18, 18, 12], 4, 16],
  ] as Array<[string, () => BertModel, number[], number[], number, number]>)('matches the supernet at every default width (%s)', async (_name, make, heads, ffn, headSize, hidden) => {
    const supernet = make();
    const probe = toyBatch(71, 3, 9, 30, 2);
    const total = supernet.parameterCount();
    for (const [index, width] of DEFAULT_WIDTH_MULTIPLIERS.entries()) {
      setActiveWidth(supernet, width);
      const expected = outputsOf(supernet, probe);
      const sub = exportSubModel(supernet, width) as BertModel;
      expect(activeWidth(supernet)).toEqual({ heads: heads[index], ffn: ffn[index] }); // untouched
      expect(sub.training).toBe(false);
      expect(sub.config.intermediate_size).toBe(ffn[index]);
      const dropped = Array.from({ length: supernet.numHeads - heads[index] }, (_, i) => heads[index] + i);
      if (dropped.length > 0) expect(sub.config.pruned_heads).toEqual({ 0: dropped, 1: dropped });
      expect(sub.parameterCount()).toBe(total - 2 * removedPerLayer(supernet.numHeads, headSize, ffn[0], hidden, heads[index], ffn[index]));
      const actual = outputsOf(sub, probe);
      expect(maxDifference(actual.logits, expected.logits)).toBeLessThan(1e-5);
      expected.hidden.forEach((state, i) => expect(maxDifference(actual.hidden[i], state)).toBeLessThan(1e-5));
      if (index === 2) {
        const path = join(dir, `${_name.replace(/\W/g, '-')}-${width}`);
        await savePretrained(sub, path);
        const { model: loaded } = await loadPretrained(path);
        expect(loaded.parameterCount()).toBe(sub.parameterCount());
        expect(maxDifference(outputsOf(loaded, probe).logits, actual.logits)).toBeLessThan(1e-6);
        loaded.dispose();
      }
      sub.dispose();
    }
    disposeBatch(probe);
    supernet.dispose();
  });

  it('slices and keeps sparsity masks', () => {
    const supernet = toyBert(23);
    const probe = toyBatch(72, 2, 6, 30, 3);
    const weight = supernetLayers(supernet)[1].intermediate.weight;
    weight.addTransform(createMaskTransform(tf.tidy(() => tf.cast(tf.greater(tf.randomUniform(weight.shape, 0, 1, 'float32', 9), 0.5), 'float32'))));
    setActiveWidth(supernet, 0.5);
    const expected = outputsOf(supernet, probe);
    const sub = exportSubModel(supernet, 0.5);
    const subWeight = sub.getParameter('encoder.layer.1.intermediate.dense.weight')!;
    expect(subWeight.transforms.map((transform) => transform.kind)).toEqual([MASK_TRANSFORM_KIND]);
    const fullMask = (weight.findTransform(MASK_TRANSFORM_KIND) as MaskTransform).mask.arraySync() as number[][];
    expect((subWeight.findTransform(MASK_TRANSFORM_KIND) as MaskTransform).mask.arraySync()).toEqual(fullMask.slice(0, 12));
    expect(maxDifference(outputsOf(sub, probe).logits, expected.logits)).toBeLessThan(1e-5);
    sub.dispose();
    disposeBatch(probe);
    supernet.dispose();
  });

  it('exports DistilBERT sub-models too (hidden_dim and pruned_heads)', async () => {
    const supernet = toyDistilBert(24);
    const probe = toyBatch(73, 2, 6, 30, 3);
    setActiveWidth(supernet, 0.5);
    const expected = outputsOf(supernet, probe);
    const sub = exportSubModel(supernet, 0.5);
    expect(sub.config).toMatchObject({ hidden_dim: 12, pruned_heads: { 0: [2, 3], 1: [2, 3] } });
    const path = join(dir, 'distilbert-0.5');
    await savePretrained(sub, path);
    const { model: loaded } = await loadPretrained(path);
    for (const model of [sub, loaded]) {
      const actual = outputsOf(model, probe);
      expect(maxDifference(actual.logits, expected.logits)).toBeLessThan(1e-5);
      expected.hidden.forEach((state, i) => expect(maxDifference(actual.hidden[i], state)).toBeLessThan(1e-5));
    }
    loaded.dispose();
    sub.dispose();
    disposeBatch(probe);
    supernet.dispose();
  });
});
