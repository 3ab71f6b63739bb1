import type { BertConfig } from './bert-config';
import type { DistilBertConfig } from './distilbert-config';

/**
 * The number of weights in the large matrices of the encoder a config describes: the embedding
 * tables, and per layer the attention projections (of the heads it keeps) and the two FFN
 * matrices. Biases, LayerNorms and heads are left out, so this is a lower bound of what a
 * checkpoint of that config holds — computed from the sizes alone (no per-head or per-layer
 * arrays), so a hostile config (`hidden_size: 2^40`) is measured before anything is allocated.
 *
 * @example
 * ```ts
 * encoderWeightCount(createBertConfig({ vocab_size: 100, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 16 }));
 * // (100 + 512 + 2)·8 (embeddings) + 4·8·8 + 2·16·8 (layer 0) = 5,424
 * ```
 */
export function encoderWeightCount(config: BertConfig | DistilBertConfig): number {
  const isBert = config.model_type === 'bert';
  const hidden = isBert ? (config as BertConfig).hidden_size : (config as DistilBertConfig).dim;
  const heads = isBert ? (config as BertConfig).num_attention_heads : (config as DistilBertConfig).n_heads;
  const layers = isBert ? (config as BertConfig).num_hidden_layers : (config as DistilBertConfig).n_layers;
  const uniformIntermediate = isBert ? (config as BertConfig).intermediate_size : (config as DistilBertConfig).hidden_dim;
  const positions = config.max_position_embeddings;
  const tokenTypes = isBert ? (config as BertConfig).type_vocab_size : 0;
  const embeddings = (config.vocab_size + positions + tokenTypes) * hidden;
  const headSize = hidden / heads;
  const prunedHeads = Object.values(config.pruned_heads ?? {}).reduce((sum, list) => sum + list.length, 0);
  const attention = 4 * hidden * headSize * (layers * heads - prunedHeads);
  const intermediate = config.intermediate_sizes === undefined ? layers * uniformIntermediate : config.intermediate_sizes.reduce((sum, size) => sum + size, 0);
  return embeddings + attention + 2 * hidden * intermediate;
}
