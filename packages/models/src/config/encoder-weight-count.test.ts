import { initBackend } from '@pofa/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../model';
import { createBertConfig } from './bert-config';
import { createDistilBertConfig } from './distilbert-config';
import { encoderWeightCount } from './encoder-weight-count';
import type { ModelConfig } from './presets';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

/** The weights of a built model's embedding tables and encoder weight matrices (biases, LayerNorms, pooler and heads left out). */
function builtMatrixWeights(config: ModelConfig): number {
  const model = createModel(config, { task: 'base', initialize: false });
  const counted = model
    .namedParameters()
    .filter(([name, parameter]) => parameter.shape.length === 2 && (name.includes('embeddings.') || /layer\.\d+\./.test(name)))
    .reduce((sum, [, parameter]) => sum + parameter.size, 0);
  model.dispose();
  return counted;
}

describe('encoderWeightCount', () => {
  it('counts what a built model holds in its embedding tables and encoder matrices', () => {
    const configs = [
      createBertConfig({ vocab_size: 50, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 24, max_position_embeddings: 20 }),
      createBertConfig({ vocab_size: 50, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 24, pruned_heads: { 0: [1, 3], 1: [0] }, intermediate_sizes: [8, 12] }),
      createDistilBertConfig({ vocab_size: 40, dim: 12, n_layers: 3, n_heads: 3, hidden_dim: 20, max_position_embeddings: 10, pruned_heads: { 2: [1] } }),
    ];
    for (const config of configs) expect(encoderWeightCount(config)).toBe(builtMatrixWeights(config));
  });

  it('measures hostile sizes without allocating them', () => {
    const config = createBertConfig({ vocab_size: 2 ** 40, hidden_size: 2 ** 20, num_hidden_layers: 1, num_attention_heads: 2 ** 20, intermediate_size: 1 });
    expect(encoderWeightCount(config)).toBeGreaterThan(2 ** 60);
  });
});
