import { ACTIVATIONS, Dropout, LayerNorm, Linear, Module, ModuleList, tf, type ForwardContext, type InitOptions } from '@pofa/core';
import { scaledDotProductAttention } from '../attention';
import type { DistilBertConfig } from '../config/distilbert-config';
import { layerStructure } from '../config/layer-structure';
import type { FeatureRequest, LayerFeatures } from '../features';

/**
 * DistilBERT's `MultiHeadSelfAttention`: `q_lin`, `k_lin`, `v_lin`, `out_lin`. A layer with
 * `pruned_heads` has fewer heads of the same size.
 */
export class DistilBertAttention extends Module {
  readonly q_lin: Linear;
  readonly k_lin: Linear;
  readonly v_lin: Linear;
  readonly out_lin: Linear;
  readonly dropout: Dropout;
  readonly heads: number;

  constructor(config: DistilBertConfig, init: InitOptions, layerIndex = 0) {
    super();
    const width = config.dim;
    const structure = layerStructure(config, layerIndex);
    this.heads = structure.heads.length;
    const allHeads = this.heads * structure.headSize;
    this.q_lin = this.addModule('q_lin', new Linear(width, allHeads, init));
    this.k_lin = this.addModule('k_lin', new Linear(width, allHeads, init));
    this.v_lin = this.addModule('v_lin', new Linear(width, allHeads, init));
    this.out_lin = this.addModule('out_lin', new Linear(allHeads, width, init));
    this.dropout = this.addModule('dropout', new Dropout(config.attention_dropout));
  }

  /** The attention output `[batch, seq, dim]` and features; call inside `tf.tidy`. */
  forward(hidden: tf.Tensor, additiveMask: tf.Tensor4D, context: ForwardContext, features?: FeatureRequest): { output: tf.Tensor } & LayerFeatures {
    const attended = scaledDotProductAttention({
      query: this.q_lin.forward(hidden),
      key: this.k_lin.forward(hidden),
      value: this.v_lin.forward(hidden),
      additiveMask,
      heads: this.heads,
      dropout: this.dropout,
      context,
      features,
    });
    return { ...attended, output: this.out_lin.forward(attended.context) };
  }
}

/** DistilBERT's `FFN`: `lin1`, activation, `lin2`, dropout. */
export class DistilBertFeedForward extends Module {
  readonly lin1: Linear;
  readonly lin2: Linear;
  readonly dropout: Dropout;
  private readonly activation: (x: tf.Tensor) => tf.Tensor;

  constructor(config: DistilBertConfig, init: InitOptions, hiddenDim = config.hidden_dim) {
    super();
    this.lin1 = this.addModule('lin1', new Linear(config.dim, hiddenDim, init));
    this.lin2 = this.addModule('lin2', new Linear(hiddenDim, config.dim, init));
    this.dropout = this.addModule('dropout', new Dropout(config.dropout));
    this.activation = ACTIVATIONS[config.activation];
  }

  forward(hidden: tf.Tensor, context: ForwardContext = {}): tf.Tensor {
    return tf.tidy(() => this.dropout.forward(this.lin2.forward(this.activation(this.lin1.forward(hidden))), context));
  }
}

/**
 * One DistilBERT `TransformerBlock` (post-LN): attention + `sa_layer_norm`, FFN +
 * `output_layer_norm`.
 *
 * @example
 * ```ts
 * const block = new DistilBertLayer(config, { std: 0.02 });
 * ```
 */
export class DistilBertLayer extends Module {
  readonly attention: DistilBertAttention;
  readonly sa_layer_norm: LayerNorm;
  readonly ffn: DistilBertFeedForward;
  readonly output_layer_norm: LayerNorm;

  /** `layerIndex` picks the layer's pruned heads and FFN width from the config. */
  constructor(config: DistilBertConfig, init: InitOptions, layerIndex = 0) {
    super();
    this.attention = this.addModule('attention', new DistilBertAttention(config, init, layerIndex));
    this.sa_layer_norm = this.addModule('sa_layer_norm', new LayerNorm(config.dim, 1e-12));
    this.ffn = this.addModule('ffn', new DistilBertFeedForward(config, init, layerStructure(config, layerIndex).intermediateSize));
    this.output_layer_norm = this.addModule('output_layer_norm', new LayerNorm(config.dim, 1e-12));
  }

  /** The block output `[batch, seq, dim]` and features; call inside `tf.tidy`. */
  forward(hidden: tf.Tensor, additiveMask: tf.Tensor4D, context: ForwardContext, features?: FeatureRequest): { output: tf.Tensor } & LayerFeatures {
    const attended = this.attention.forward(hidden, additiveMask, context, features);
    const normed = this.sa_layer_norm.forward(tf.add(attended.output, hidden));
    const output = this.output_layer_norm.forward(tf.add(this.ffn.forward(normed, context), normed));
    return { ...attended, output };
  }
}

/** The stack of blocks, named `transformer.layer.N` as in Hugging Face. */
export class DistilBertTransformer extends Module {
  readonly layer: ModuleList<DistilBertLayer>;

  constructor(config: DistilBertConfig, init: InitOptions) {
    super();
    const layers: DistilBertLayer[] = [];
    for (let i = 0; i < config.n_layers; i++) layers.push(new DistilBertLayer(config, init, i));
    this.layer = this.addModule('layer', new ModuleList(layers));
  }
}
