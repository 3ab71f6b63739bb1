import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CheckpointError,
  ConfigError,
  createRegistry,
  initBackend,
  Linear,
  Module,
  Parameter,
  RegistryError,
  tf,
  writeSafetensors,
  type ModelFamily as RegisteredModelFamily,
  type RawTensor,
} from '@pofa/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BertModel } from '../bert/bert-model';
import { loadPretrained } from './load-pretrained';
import { savePretrained } from './save-pretrained';

/** y = scale ⊙ (x · Wᵀ + b): a made-up architecture whose config.json says model_type "toy-scaled". */
class ScaledLinear extends Module {
  readonly projection: Linear;
  readonly scale: Parameter;
  constructor(readonly width: number) {
    super();
    this.projection = this.addModule('projection', new Linear(width, width));
    this.scale = this.addParameter('scale', new Parameter(tf.ones([width])));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.mul(this.projection.forward(x), this.scale.value()));
  }
}

const configSchema = z.object({ model_type: z.literal('toy-scaled'), width: z.number().int().positive() });
const scaledFamily: RegisteredModelFamily<z.output<typeof configSchema>, ScaledLinear> = {
  specificationVersion: 'v1',
  name: 'toy/scaled-linear',
  modelType: 'toy-scaled',
  configSchema,
  create: ({ width }) => new ScaledLinear(width),
};

const weights: Record<string, RawTensor> = {
  'projection.weight': { dtype: 'F32', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) },
  'projection.bias': { dtype: 'F32', shape: [2], data: new Float32Array([0.5, -0.5]) },
  scale: { dtype: 'F32', shape: [2], data: new Float32Array([2, 10]) },
};

let scratch: string;

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  scratch = mkdtempSync(join(tmpdir(), 'pofa-family-'));
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function checkpoint(name: string, config: Record<string, unknown>, tensors: Record<string, RawTensor> = weights): Promise<string> {
  const dir = join(scratch, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'config.json'), JSON.stringify(config));
  await writeSafetensors(join(dir, 'model.safetensors'), tensors);
  return dir;
}

function registryWithScaled() {
  const registry = createRegistry();
  registry.register('model-family', scaledFamily as unknown as RegisteredModelFamily);
  return registry;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('loadPretrained with a registry', () => {
  it("builds the model of the family registered for config.json's model_type, with the checkpoint's weights", async () => {
    const dir = await checkpoint('scaled', { model_type: 'toy-scaled', width: 2, architectures: ['ToyScaled'] }, { ...weights, 'extra.bias': weights.scale });
    const { model, missing, unexpected, notes } = await loadPretrained(dir, { registry: registryWithScaled() });
    expect(model).toBeInstanceOf(ScaledLinear);
    expect(model.training).toBe(false);
    expect([missing, unexpected]).toEqual([[], ['extra.bias']]);
    expect(notes).toEqual(['model_type "toy-scaled": built by the registered model family toy/scaled-linear']);
    // x = [1, 1]: W·x + b = [1+2+0.5, 3+4-0.5] = [3.5, 6.5]; times scale [2, 10] = [7, 65]
    const y = (model as ScaledLinear).forward(tf.tensor2d([[1, 1]]));
    expect(Array.from(y.dataSync())).toEqual([7, 65]);
    tf.dispose(y);
    model.dispose();
  });

  it('still builds pofa BERT for model_type bert', async () => {
    const bert = new BertModel({ vocab_size: 20, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 8, max_position_embeddings: 8 }, { seed: 1 });
    const dir = join(scratch, 'bert');
    await savePretrained(bert, dir);
    const { model } = await loadPretrained(dir, { registry: registryWithScaled() });
    expect(model).toBeInstanceOf(BertModel);
    bert.dispose();
    model.dispose();
  });

  it('names the registered model types for a model_type no family reads, and says how to add one without a registry', async () => {
    const dir = await checkpoint('roberta', { model_type: 'roberta', width: 2 });
    const withRegistry = await rejection(loadPretrained(dir, { registry: registryWithScaled() }));
    expect(CheckpointError.isInstance(withRegistry)).toBe(true);
    expect(withRegistry.message).toContain('expected "bert", "distilbert" or a registered model type ("toy-scaled"), received model_type "roberta"');
    const without = await rejection(loadPretrained(dir));
    expect(CheckpointError.isInstance(without)).toBe(true);
    expect(without.message).toContain('register a model family for it and call loadPretrained(dir, { registry })');
  });

  it('reports a config.json the family rejects by key, and task options it does not take', async () => {
    const dir = await checkpoint('bad-config', { model_type: 'toy-scaled', width: 'two' });
    const error = await rejection(loadPretrained(dir, { registry: registryWithScaled() }));
    expect(ConfigError.isInstance(error)).toBe(true);
    expect(error.message).toContain('width: expected number, received string');
    const good = await checkpoint('good-config', { model_type: 'toy-scaled', width: 2 });
    const task = await rejection(loadPretrained(good, { registry: registryWithScaled(), task: 'masked-lm' }));
    expect(ConfigError.isInstance(task)).toBe(true);
    expect(task.message).toContain('not to the model family toy/scaled-linear');
  });

  it('refuses missing or misshaped weights, leaking no tensor', async () => {
    const { scale: _scale, ...withoutScale } = weights;
    const missingDir = await checkpoint('missing', { model_type: 'toy-scaled', width: 2 }, withoutScale);
    const before = tf.memory().numTensors;
    const missing = await rejection(loadPretrained(missingDir, { registry: registryWithScaled() }));
    expect(CheckpointError.isInstance(missing)).toBe(true);
    expect(missing.message).toContain('received missing scale');
    const wideDir = await checkpoint('wide', { model_type: 'toy-scaled', width: 3 });
    const wide = await rejection(loadPretrained(wideDir, { registry: registryWithScaled() }));
    expect(wide.message).toContain('projection.weight of shape [2, 2] where the model has [3, 3]');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a family whose create() returns no Module, and two families claiming one model_type', async () => {
    const dir = await checkpoint('broken', { model_type: 'toy-scaled', width: 2 });
    const broken = createRegistry();
    broken.register('model-family', { ...scaledFamily, create: () => ({}) } as unknown as RegisteredModelFamily);
    const error = await rejection(loadPretrained(dir, { registry: broken }));
    expect(RegistryError.isInstance(error)).toBe(true);
    expect(error.message).toContain('The model family toy/scaled-linear did not return a Module');
    const twice = registryWithScaled();
    twice.register('model-family', { ...scaledFamily, name: 'other/scaled' } as unknown as RegisteredModelFamily);
    expect(RegistryError.isInstance(await rejection(loadPretrained(dir, { registry: twice })))).toBe(true);
  });
});
