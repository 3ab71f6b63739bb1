import { ACTIVATIONS, LayerNorm, Linear, Module, tf, type InitOptions, type Parameter } from '@pofa/core';
import type { BertConfig } from '../config/bert-config';
import { TiedProjection } from './tied-projection';

/** `cls.predictions.transform`: dense, activation, LayerNorm. */
export class BertPredictionHeadTransform extends Module {
  readonly dense: Linear;
  readonly LayerNorm: LayerNorm;
  private readonly activation: (x: tf.Tensor) => tf.Tensor;

  constructor(config: BertConfig, init: InitOptions) {
    super();
    this.dense = this.addModule('dense', new Linear(config.hidden_size, config.hidden_size, init));
    this.LayerNorm = this.addModule('LayerNorm', new LayerNorm(config.hidden_size, config.layer_norm_eps));
    this.activation = ACTIVATIONS[config.hidden_act];
  }

  forward(hidden: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.LayerNorm.forward(this.activation(this.dense.forward(hidden))));
  }
}

/** `cls.predictions`: the transform, then the decoder tied to the word embeddings plus `bias`. */
export class BertLMPredictionHead extends Module {
  readonly transform: BertPredictionHeadTransform;
  private readonly decoder: TiedProjection;

  constructor(config: BertConfig, init: InitOptions) {
    super();
    this.transform = this.addModule('transform', new BertPredictionHeadTransform(config, init));
    this.decoder = new TiedProjection(config.vocab_size);
    // The decoder's bias is registered here as `bias`, as Hugging Face names it.
    this.addParameter('bias', this.decoder.bias);
  }

  get bias(): Parameter {
    return this.decoder.bias;
  }

  forward(hidden: tf.Tensor, wordEmbeddings: Parameter): tf.Tensor {
    return tf.tidy(() => this.decoder.forward(this.transform.forward(hidden), wordEmbeddings));
  }
}

/**
 * The masked LM head of Hugging Face `BertForMaskedLM`, registered as `cls`, so its
 * parameters are `cls.predictions.transform.dense.weight`, ..., `cls.predictions.bias`.
 *
 * @example
 * ```ts
 * const logits = model.cls.forward(lastHidden, model.embeddings.word_embeddings.weight); // [batch, seq, vocab]
 * ```
 */
export class BertMaskedLMHead extends Module {
  readonly predictions: BertLMPredictionHead;

  constructor(config: BertConfig, init: InitOptions) {
    super();
    this.predictions = this.addModule('predictions', new BertLMPredictionHead(config, init));
  }

  forward(hidden: tf.Tensor, wordEmbeddings: Parameter): tf.Tensor {
    return this.predictions.forward(hidden, wordEmbeddings);
  }
}
