import { ConfigError } from '@pofa/core';
import { describe, expect, it } from 'vitest';
import { createBertConfig } from './bert-config';
import { createDistilBertConfig } from './distilbert-config';
import { MODEL_PRESETS, presetConfig } from './presets';

const tiny = { vocab_size: 99, hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 37 };

function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (ConfigError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('BERT and DistilBERT configs', () => {
  it('fills Hugging Face defaults and counts labels from id2label', () => {
    const config = createBertConfig({ ...tiny, id2label: { 0: 'a', 1: 'b', 2: 'c' } });
    expect(config).toMatchObject({ hidden_act: 'gelu', layer_norm_eps: 1e-12, max_position_embeddings: 512, type_vocab_size: 2, num_labels: 3 });
    expect(createBertConfig({ ...tiny, num_labels: 1 }).num_labels).toBe(1);
    expect(createBertConfig({ ...tiny, transformers_version: '4.40.0' })).toHaveProperty('transformers_version', '4.40.0');
  });

  it('names the field of a bad config', () => {
    const { hidden_size: _dropped, ...withoutHidden } = tiny;
    expect(configErrorOf(() => createBertConfig(withoutHidden)).message).toContain('"hidden_size"');
    expect(configErrorOf(() => createBertConfig({ ...tiny, num_attention_heads: 5 })).message).toContain('"num_attention_heads"');
    expect(configErrorOf(() => createBertConfig({ ...tiny, intermediate_size: 0 })).message).toContain('"intermediate_size"');
    expect(configErrorOf(() => createBertConfig({ ...tiny, hidden_act: 'swish' })).message).toContain('"hidden_act"');
    expect(configErrorOf(() => createDistilBertConfig({ vocab_size: 9, dim: 30, n_layers: 1, n_heads: 4, hidden_dim: 8 })).message).toContain('"n_heads"');
    expect(configErrorOf(() => createDistilBertConfig({ vocab_size: 9, dim: 32, n_layers: -1, n_heads: 4, hidden_dim: 8 })).message).toContain('"n_layers"');
  });

  it('has the published preset shapes', () => {
    expect(presetConfig('bert-base-uncased')).toMatchObject({ hidden_size: 768, num_hidden_layers: 12, num_attention_heads: 12, intermediate_size: 3072, vocab_size: 30522 });
    expect(presetConfig('bert-large-uncased')).toMatchObject({ hidden_size: 1024, num_hidden_layers: 24, num_attention_heads: 16, intermediate_size: 4096 });
    expect(presetConfig('distilbert-base-uncased')).toMatchObject({ model_type: 'distilbert', dim: 768, n_layers: 6, n_heads: 12, hidden_dim: 3072 });
    expect(presetConfig('bert-tiny')).toMatchObject({ num_hidden_layers: 2, hidden_size: 128, num_attention_heads: 2, intermediate_size: 512 });
    expect(presetConfig('bert-mini')).toMatchObject({ num_hidden_layers: 4, hidden_size: 256, num_attention_heads: 4, intermediate_size: 1024 });
    expect(presetConfig('bert-small')).toMatchObject({ num_hidden_layers: 4, hidden_size: 512, num_attention_heads: 8, intermediate_size: 2048 });
    expect(presetConfig('bert-medium')).toMatchObject({ num_hidden_layers: 8, hidden_size: 512, num_attention_heads: 8, intermediate_size: 2048 });
    expect(presetConfig('bert-tiny', { vocab_size: 500 }).vocab_size).toBe(500);
    expect(Object.keys(MODEL_PRESETS)).toHaveLength(7);
    expect(() => presetConfig('bert-huge' as never)).toThrow(/bert-tiny/);
  });
});
