import { Dropout, Embedding, LayerNorm, Module, tf, type ForwardContext, type InitOptions } from '@pofa/core';
import type { BertConfig } from '../config/bert-config';

/**
 * Zeroes the padding row of an embedding table, as Hugging Face's `_init_weights` does.
 *
 * @example
 * ```ts
 * zeroPaddingRow(words, config.pad_token_id);
 * ```
 */
export function zeroPaddingRow(embedding: Embedding, row: number): void {
  tf.tidy(() => {
    const keep = tf.oneHot(tf.tensor1d([row], 'int32'), embedding.count);
    const factor = tf.reshape(tf.sub(1, tf.sum(keep, 0)), [embedding.count, 1]);
    embedding.weight.assign(tf.mul(embedding.weight.variable, factor));
  });
}

/**
 * BERT's input embeddings: word + position + token type, then LayerNorm and dropout
 * (Hugging Face `BertEmbeddings`).
 *
 * @example
 * ```ts
 * const embeddings = new BertEmbeddings(config);
 * const x = embeddings.forward(ids, tokenTypes, { training: false }); // [batch, seq, hidden]
 * ```
 */
export class BertEmbeddings extends Module {
  readonly word_embeddings: Embedding;
  readonly position_embeddings: Embedding;
  readonly token_type_embeddings: Embedding;
  readonly LayerNorm: LayerNorm;
  readonly dropout: Dropout;

  constructor(config: BertConfig, init: InitOptions) {
    super();
    this.word_embeddings = this.addModule('word_embeddings', new Embedding(config.vocab_size, config.hidden_size, init));
    zeroPaddingRow(this.word_embeddings, config.pad_token_id);
    this.position_embeddings = this.addModule('position_embeddings', new Embedding(config.max_position_embeddings, config.hidden_size, init));
    this.token_type_embeddings = this.addModule('token_type_embeddings', new Embedding(config.type_vocab_size, config.hidden_size, init));
    this.LayerNorm = this.addModule('LayerNorm', new LayerNorm(config.hidden_size, config.layer_norm_eps));
    this.dropout = this.addModule('dropout', new Dropout(config.hidden_dropout_prob));
  }

  forward(inputIds: tf.Tensor2D, tokenTypeIds: tf.Tensor2D, context: ForwardContext = {}): tf.Tensor {
    return tf.tidy(() => {
      const seq = inputIds.shape[1];
      const positions = this.position_embeddings.forward(tf.range(0, seq, 1, 'int32'));
      const sum = tf.add(tf.add(this.word_embeddings.forward(inputIds), positions), this.token_type_embeddings.forward(tokenTypeIds));
      return this.dropout.forward(this.LayerNorm.forward(sum), context);
    });
  }
}
