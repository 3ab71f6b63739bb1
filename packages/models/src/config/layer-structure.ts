import type { BertConfig } from './bert-config';
import type { DistilBertConfig } from './distilbert-config';

type AnyConfig = BertConfig | DistilBertConfig;

/** The per-layer shape of a (possibly structurally pruned) config, under family-neutral names. */
export interface LayerStructure {
  /** Original indices of the heads this layer keeps, ascending. */
  heads: number[];
  /** Width of one head: `hidden / original heads`, unchanged by head pruning. */
  headSize: number;
  /** Width of the FFN's inner layer. */
  intermediateSize: number;
}

/**
 * The shape of layer `layer`: which original heads it keeps (all but `pruned_heads[layer]`),
 * the head size and the FFN width (`intermediate_sizes[layer]`, else the uniform width).
 *
 * @example
 * ```ts
 * layerStructure(createBertConfig({ ...shape, num_attention_heads: 4, pruned_heads: { 0: [1] } }), 0);
 * // { heads: [0, 2, 3], headSize: hidden / 4, intermediateSize: shape.intermediate_size }
 * ```
 */
export function layerStructure(config: AnyConfig, layer: number): LayerStructure {
  const isBert = config.model_type === 'bert';
  const heads = isBert ? (config as BertConfig).num_attention_heads : (config as DistilBertConfig).n_heads;
  const hidden = isBert ? (config as BertConfig).hidden_size : (config as DistilBertConfig).dim;
  const uniform = isBert ? (config as BertConfig).intermediate_size : (config as DistilBertConfig).hidden_dim;
  const pruned = new Set(config.pruned_heads?.[String(layer)] ?? []);
  return {
    heads: Array.from({ length: heads }, (_, head) => head).filter((head) => !pruned.has(head)),
    headSize: hidden / heads,
    intermediateSize: config.intermediate_sizes?.[layer] ?? uniform,
  };
}
