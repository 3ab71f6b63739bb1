import { ACTIVATIONS, Linear, Module, ModuleList, tf, type ForwardContext, type InitOptions } from '@pofa/core';
import type { BertConfig } from '../config/bert-config';
import { layerStructure } from '../config/layer-structure';
import type { FeatureRequest, LayerFeatures } from '../features';
import { BertAttention, BertResidualOutput } from './bert-attention';

/** The FFN's first projection and activation (`intermediate.dense`). */
export class BertIntermediate extends Module {
  readonly dense: Linear;
  private readonly activation: (x: tf.Tensor) => tf.Tensor;

  constructor(config: BertConfig, init: InitOptions, intermediateSize = config.intermediate_size) {
    super();
    this.dense = this.addModule('dense', new Linear(config.hidden_size, intermediateSize, init));
    this.activation = ACTIVATIONS[config.hidden_act];
  }

  forward(hidden: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.activation(this.dense.forward(hidden)));
  }
}

/**
 * One post-LN transformer layer (Hugging Face `BertLayer`): attention, then FFN with
 * residual LayerNorm.
 *
 * @example
 * ```ts
 * const layer = new BertLayer(config, { std: 0.02 });
 * const { output } = tf.tidy(() => layer.forward(x, additiveMask, {}));
 * ```
 */
export class BertLayer extends Module {
  readonly attention: BertAttention;
  readonly intermediate: BertIntermediate;
  readonly output: BertResidualOutput;

  /** `layerIndex` picks the layer's pruned heads and FFN width from the config. */
  constructor(config: BertConfig, init: InitOptions, layerIndex = 0) {
    super();
    const { intermediateSize } = layerStructure(config, layerIndex);
    this.attention = this.addModule('attention', new BertAttention(config, init, layerIndex));
    this.intermediate = this.addModule('intermediate', new BertIntermediate(config, init, intermediateSize));
    this.output = this.addModule('output', new BertResidualOutput(intermediateSize, config, init));
  }

  /** The layer output `[batch, seq, hidden]` and features; call inside `tf.tidy`. */
  forward(hidden: tf.Tensor, additiveMask: tf.Tensor4D, context: ForwardContext, features?: FeatureRequest): { output: tf.Tensor } & LayerFeatures {
    const attended = this.attention.forward(hidden, additiveMask, context, features);
    const output = this.output.forward(this.intermediate.forward(attended.output), attended.output, context);
    return { ...attended, output };
  }
}

/** The stack of layers, named `encoder.layer.N` as in Hugging Face. */
export class BertEncoder extends Module {
  readonly layer: ModuleList<BertLayer>;

  constructor(config: BertConfig, init: InitOptions) {
    super();
    const layers: BertLayer[] = [];
    for (let i = 0; i < config.num_hidden_layers; i++) layers.push(new BertLayer(config, init, i));
    this.layer = this.addModule('layer', new ModuleList(layers));
  }
}

/** Dense + tanh on the first ([CLS]) token (`pooler.dense`). */
export class BertPooler extends Module {
  readonly dense: Linear;

  constructor(config: BertConfig, init: InitOptions) {
    super();
    this.dense = this.addModule('dense', new Linear(config.hidden_size, config.hidden_size, init));
  }

  forward(hidden: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const [batch, , width] = hidden.shape;
      const first = tf.reshape(tf.slice(hidden, [0, 0, 0], [batch, 1, width]), [batch, width]);
      return tf.tanh(this.dense.forward(first));
    });
  }
}
