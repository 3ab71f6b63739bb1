import { ConfigError } from '@pofa/core';
import { createBertConfig, type BertConfig, type BertConfigInput } from './bert-config';
import { createDistilBertConfig, type DistilBertConfig, type DistilBertConfigInput } from './distilbert-config';

const UNCASED_VOCAB = 30522;

function bertShape(layers: number, hidden: number, heads: number, intermediate: number): BertConfigInput {
  return {
    model_type: 'bert',
    vocab_size: UNCASED_VOCAB,
    hidden_size: hidden,
    num_hidden_layers: layers,
    num_attention_heads: heads,
    intermediate_size: intermediate,
  };
}

/**
 * Model shapes by name: the released `bert-base-uncased`, `bert-large-uncased` and
 * `distilbert-base-uncased`, and Google's compact BERTs (Turc et al. 2019).
 */
export const MODEL_PRESETS = {
  'bert-base-uncased': bertShape(12, 768, 12, 3072),
  'bert-large-uncased': bertShape(24, 1024, 16, 4096),
  'bert-tiny': bertShape(2, 128, 2, 512),
  'bert-mini': bertShape(4, 256, 4, 1024),
  'bert-small': bertShape(4, 512, 8, 2048),
  'bert-medium': bertShape(8, 512, 8, 2048),
  'distilbert-base-uncased': {
    model_type: 'distilbert',
    vocab_size: UNCASED_VOCAB,
    dim: 768,
    n_layers: 6,
    n_heads: 12,
    hidden_dim: 3072,
  } satisfies DistilBertConfigInput,
} as const;

/** A name of {@link MODEL_PRESETS}. */
export type PresetName = keyof typeof MODEL_PRESETS;

/** A validated config of either family, told apart by `model_type`. */
export type ModelConfig = BertConfig | DistilBertConfig;

/**
 * A validated config from a preset, with fields overridden (a smaller vocabulary, dropout 0).
 *
 * @example
 * ```ts
 * const config = presetConfig('bert-tiny', { vocab_size: 512, hidden_dropout_prob: 0 });
 * ```
 */
export function presetConfig(name: PresetName, overrides: Record<string, unknown> = {}): ModelConfig {
  const preset = (MODEL_PRESETS as Record<string, BertConfigInput | DistilBertConfigInput>)[name];
  if (preset === undefined) {
    throw new ConfigError(`Unknown model preset ${JSON.stringify(name)}`, {
      expected: `one of ${Object.keys(MODEL_PRESETS).join(', ')}`,
      received: JSON.stringify(name),
    });
  }
  return createModelConfig({ ...preset, ...overrides });
}

/**
 * Validates a config of either family, picking the schema from `model_type` (`bert` or
 * `distilbert`).
 *
 * @example
 * ```ts
 * const config = createModelConfig(JSON.parse(readFileSync('config.json', 'utf8')));
 * ```
 */
export function createModelConfig(raw: Record<string, unknown>): ModelConfig {
  const type = raw.model_type;
  if (type === 'distilbert') return createDistilBertConfig(raw);
  if (type === 'bert' || type === undefined) return createBertConfig(raw);
  throw new ConfigError('Unsupported model_type', {
    expected: '"bert" or "distilbert"',
    received: JSON.stringify(type),
    hint: 'pofa implements BERT and DistilBERT',
  });
}
