import { Dropout, LayerNorm, Linear, Module, tf, type ForwardContext, type InitOptions } from '@pofa/core';
import { scaledDotProductAttention } from '../attention';
import type { BertConfig } from '../config/bert-config';
import { layerStructure } from '../config/layer-structure';
import type { FeatureRequest, LayerFeatures } from '../features';

/**
 * Query, key and value projections and the attention itself (`attention.self`). A layer with
 * `pruned_heads` has fewer heads of the same size: the projections have
 * `heads × headSize` outputs.
 */
export class BertSelfAttention extends Module {
  readonly query: Linear;
  readonly key: Linear;
  readonly value: Linear;
  readonly dropout: Dropout;
  readonly heads: number;

  constructor(config: BertConfig, init: InitOptions, layerIndex = 0) {
    super();
    const width = config.hidden_size;
    const structure = layerStructure(config, layerIndex);
    this.heads = structure.heads.length;
    const allHeads = this.heads * structure.headSize;
    this.query = this.addModule('query', new Linear(width, allHeads, init));
    this.key = this.addModule('key', new Linear(width, allHeads, init));
    this.value = this.addModule('value', new Linear(width, allHeads, init));
    this.dropout = this.addModule('dropout', new Dropout(config.attention_probs_dropout_prob));
  }

  /** Attention context `[batch, seq, hidden]` and the requested features; call inside `tf.tidy`. */
  forward(hidden: tf.Tensor, additiveMask: tf.Tensor4D, context: ForwardContext, features?: FeatureRequest): { context: tf.Tensor } & LayerFeatures {
    return scaledDotProductAttention({
      query: this.query.forward(hidden),
      key: this.key.forward(hidden),
      value: this.value.forward(hidden),
      additiveMask,
      heads: this.heads,
      dropout: this.dropout,
      context,
      features,
    });
  }
}

/** Dense + dropout + residual LayerNorm (`attention.output` and the FFN's `output`). */
export class BertResidualOutput extends Module {
  readonly dense: Linear;
  readonly LayerNorm: LayerNorm;
  readonly dropout: Dropout;

  constructor(inFeatures: number, config: BertConfig, init: InitOptions) {
    super();
    this.dense = this.addModule('dense', new Linear(inFeatures, config.hidden_size, init));
    this.LayerNorm = this.addModule('LayerNorm', new LayerNorm(config.hidden_size, config.layer_norm_eps));
    this.dropout = this.addModule('dropout', new Dropout(config.hidden_dropout_prob));
  }

  forward(input: tf.Tensor, residual: tf.Tensor, context: ForwardContext = {}): tf.Tensor {
    return tf.tidy(() => this.LayerNorm.forward(tf.add(this.dropout.forward(this.dense.forward(input), context), residual)));
  }
}

/**
 * Hugging Face `BertAttention`: `self` (q, k, v, softmax) then `output` (dense, dropout,
 * residual LayerNorm).
 *
 * @example
 * ```ts
 * const attention = new BertAttention(config, { std: 0.02 });
 * ```
 */
export class BertAttention extends Module {
  readonly self: BertSelfAttention;
  readonly output: BertResidualOutput;

  constructor(config: BertConfig, init: InitOptions, layerIndex = 0) {
    super();
    this.self = this.addModule('self', new BertSelfAttention(config, init, layerIndex));
    this.output = this.addModule('output', new BertResidualOutput(this.self.query.outFeatures, config, init));
  }

  /** The attention block's output `[batch, seq, hidden]` and features; call inside `tf.tidy`. */
  forward(hidden: tf.Tensor, additiveMask: tf.Tensor4D, context: ForwardContext, features?: FeatureRequest): { output: tf.Tensor } & LayerFeatures {
    const attended = this.self.forward(hidden, additiveMask, context, features);
    return { ...attended, output: this.output.forward(attended.context, hidden, context) };
  }
}
