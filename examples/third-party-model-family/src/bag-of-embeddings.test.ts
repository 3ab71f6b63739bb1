import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointError, PofaError, RegistryError, ShapeError, createRegistry, defaultRegistry, initBackend, tf, writeSafetensors, type RawTensor } from '@pofa/core';
import { describeModelFamilyConformance, describeRegistryPluginConformance } from '@pofa/core/testing/vitest';
import { loadPretrained } from '@pofa/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BagOfEmbeddings } from './bag-of-embeddings';
import { bagOfEmbeddingsFamily } from './bag-of-embeddings-family';
import { register } from './register';
import { saveBagOfEmbeddings } from './save-bag-of-embeddings';

// The contract every model family meets, and the registry's check of the spec.
describeModelFamilyConformance(bagOfEmbeddingsFamily, { config: { model_type: 'bag-of-embeddings', vocab_size: 6, hidden_size: 3, num_labels: 2 }, backend: 'cpu' });
describeRegistryPluginConformance('model-family', bagOfEmbeddingsFamily);

let scratch: string;

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  scratch = mkdtempSync(join(tmpdir(), 'bag-of-embeddings-'));
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// Weights chosen by hand: 4 tokens of width 2, two labels.
const weights: Record<string, RawTensor> = {
  'embeddings.weight': { dtype: 'F32', shape: [4, 2], data: new Float32Array([0, 0, 1, 2, 3, -1, 5, 5]) },
  'classifier.weight': { dtype: 'F32', shape: [2, 2], data: new Float32Array([1, 1, 2, -1]) },
  'classifier.bias': { dtype: 'F32', shape: [2], data: new Float32Array([0.5, 0]) },
};
const inputs = () => ({ inputIds: tf.tensor2d([[1, 2, 0], [3, 3, 3]], undefined, 'int32'), attentionMask: tf.tensor2d([[1, 1, 0], [1, 0, 0]]) });
// Row 1: mean(emb[1], emb[2]) = mean([1, 2], [3, -1]) = [2, 0.5] → [2 + 0.5 + 0.5, 4 − 0.5 + 0] = [3, 3.5]
// Row 2: only the first token counts: [5, 5] → [5 + 5 + 0.5, 10 − 5 + 0] = [10.5, 5]
const expectedLogits = [3, 3.5, 10.5, 5];

function logitsOf(model: BagOfEmbeddings): number[] {
  return tf.tidy(() => Array.from(model.forward(inputs()).dataSync()));
}

async function handWrittenCheckpoint(name: string): Promise<string> {
  const dir = join(scratch, name);
  await mkdir(dir, { recursive: true });
  const config = { architectures: ['BagOfEmbeddingsForSequenceClassification'], model_type: 'bag-of-embeddings', vocab_size: 4, hidden_size: 2, num_labels: 2 };
  await writeFile(join(dir, 'config.json'), JSON.stringify(config));
  await writeSafetensors(join(dir, 'model.safetensors'), weights);
  return dir;
}

describe('loadPretrained of @pofa/models with example/bag-of-embeddings registered', () => {
  it("builds a BagOfEmbeddings for a folder whose config.json says model_type bag-of-embeddings, with the folder's weights", async () => {
    const registry = createRegistry();
    register(registry);
    const { model, notes } = await loadPretrained(await handWrittenCheckpoint('hand-written'), { registry });
    expect(model).toBeInstanceOf(BagOfEmbeddings);
    expect(notes).toEqual(['model_type "bag-of-embeddings": built by the registered model family example/bag-of-embeddings']);
    expect(logitsOf(model as BagOfEmbeddings)).toEqual(expectedLogits);
    model.dispose();
  });

  it('reads back what saveBagOfEmbeddings wrote', async () => {
    const registry = createRegistry();
    register(registry);
    const original = bagOfEmbeddingsFamily.create(bagOfEmbeddingsFamily.configSchema.parse({ model_type: 'bag-of-embeddings', vocab_size: 4, hidden_size: 5, num_labels: 3, seed: 7 }));
    const dir = join(scratch, 'saved');
    await saveBagOfEmbeddings(original, dir);
    const { model } = await loadPretrained(dir, { registry });
    expect(logitsOf(model as BagOfEmbeddings)).toEqual(logitsOf(original));
    original.dispose();
    model.dispose();
  });

  it('cannot load the folder before the family is registered', async () => {
    const dir = await handWrittenCheckpoint('unregistered');
    await expect(loadPretrained(dir, { registry: createRegistry() })).rejects.toSatisfy((error: unknown) => CheckpointError.isInstance(error));
    await expect(loadPretrained(dir)).rejects.toThrow(/register a model family for it/);
  });
});

describe('BagOfEmbeddings', () => {
  it('averages the unmasked embeddings and classifies them (worked by hand)', () => {
    const model = bagOfEmbeddingsFamily.create(bagOfEmbeddingsFamily.configSchema.parse({ model_type: 'bag-of-embeddings', vocab_size: 4, hidden_size: 2 }));
    const state = Object.fromEntries(Object.entries(weights).map(([name, raw]) => [name, tf.tensor(raw.data as Float32Array, raw.shape)]));
    model.loadStateDict(state);
    tf.dispose(Object.values(state));
    expect(logitsOf(model)).toEqual(expectedLogits);
    model.dispose();
  });

  it('rejects ids that are not int32 [batch, seq] or lie outside the vocabulary', () => {
    const model = new BagOfEmbeddings(bagOfEmbeddingsFamily.configSchema.parse({ model_type: 'bag-of-embeddings', vocab_size: 4, hidden_size: 2 }));
    tf.tidy(() => {
      expect(() => model.forward({ inputIds: tf.tensor2d([[1, 2]]) })).toThrow(ShapeError);
      expect(() => model.forward({ inputIds: tf.tensor2d([[1, 2]], undefined, 'int32'), attentionMask: tf.ones([1, 3]) })).toThrow(ShapeError);
      let caught: unknown;
      try {
        model.forward({ inputIds: tf.tensor2d([[1, 4]], undefined, 'int32') });
      } catch (error) {
        caught = error;
      }
      expect(PofaError.isInstance(caught)).toBe(true);
      expect((caught as PofaError).message).toContain('expected ids in [0, 3] (vocab_size 4), received 4');
    });
    model.dispose();
  });
});

describe('register', () => {
  it('registers the family once, replacing it only when told to', () => {
    const registry = createRegistry();
    register(registry);
    expect(registry.list('model-family')).toEqual(['example/bag-of-embeddings']);
    expect(() => register(registry)).toThrow(RegistryError);
    expect(() => register(registry, { override: true })).not.toThrow();
  });

  it('has no import-time side effect on the default registry', () => {
    expect(defaultRegistry.has('model-family', 'example/bag-of-embeddings')).toBe(false);
  });
});
