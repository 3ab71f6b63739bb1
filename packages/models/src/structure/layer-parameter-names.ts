import type { ModelFamily } from '../checkpoint/architectures';

/** Dotted paths of the Linear layers of one encoder layer that structured pruning touches. */
export interface LayerLinearNames {
  query: string;
  key: string;
  value: string;
  /** The attention output projection (its input columns are the heads). */
  attentionOutput: string;
  /** The FFN's first projection (its output rows are the neurons). */
  intermediate: string;
  /** The FFN's second projection (its input columns are the neurons). */
  ffnOutput: string;
}

/**
 * The paths (without `.weight` / `.bias`) of the attention and FFN Linears of layer `layer`:
 * `encoder.layer.N.attention.self.query`, ... for BERT, `transformer.layer.N.attention.q_lin`,
 * ... for DistilBERT.
 *
 * @example
 * ```ts
 * layerLinearNames('bert', 1).attentionOutput; // 'encoder.layer.1.attention.output.dense'
 * layerLinearNames('distilbert', 0).ffnOutput; // 'transformer.layer.0.ffn.lin2'
 * ```
 */
export function layerLinearNames(family: ModelFamily, layer: number): LayerLinearNames {
  if (family === 'bert') {
    const prefix = `encoder.layer.${layer}.`;
    return {
      query: `${prefix}attention.self.query`,
      key: `${prefix}attention.self.key`,
      value: `${prefix}attention.self.value`,
      attentionOutput: `${prefix}attention.output.dense`,
      intermediate: `${prefix}intermediate.dense`,
      ffnOutput: `${prefix}output.dense`,
    };
  }
  const prefix = `transformer.layer.${layer}.`;
  return {
    query: `${prefix}attention.q_lin`,
    key: `${prefix}attention.k_lin`,
    value: `${prefix}attention.v_lin`,
    attentionOutput: `${prefix}attention.out_lin`,
    intermediate: `${prefix}ffn.lin1`,
    ffnOutput: `${prefix}ffn.lin2`,
  };
}
