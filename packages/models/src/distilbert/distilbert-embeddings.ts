import { Dropout, Embedding, LayerNorm, Module, tf, type ForwardContext, type InitOptions } from '@pofa/core';
import { zeroPaddingRow } from '../bert/bert-embeddings';
import type { DistilBertConfig } from '../config/distilbert-config';

/**
 * The fixed sinusoidal position table `[positions, dim]` of `sinusoidal_pos_embds`
 * (sin on even columns, cos on odd ones), as Hugging Face's `create_sinusoidal_embeddings`.
 *
 * @example
 * ```ts
 * const table = sinusoidalPositions(512, 768);
 * ```
 */
export function sinusoidalPositions(positions: number, dim: number): tf.Tensor2D {
  const values = new Float32Array(positions * dim);
  for (let position = 0; position < positions; position++) {
    for (let j = 0; j < dim; j++) {
      const angle = position / 10000 ** ((2 * Math.floor(j / 2)) / dim);
      values[position * dim + j] = j % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return tf.tensor2d(values, [positions, dim]);
}

/**
 * DistilBERT's input embeddings: word + position (no token types), LayerNorm, dropout
 * (Hugging Face `Embeddings`).
 *
 * @example
 * ```ts
 * const embeddings = new DistilBertEmbeddings(config, { std: 0.02 });
 * ```
 */
export class DistilBertEmbeddings extends Module {
  readonly word_embeddings: Embedding;
  readonly position_embeddings: Embedding;
  readonly LayerNorm: LayerNorm;
  readonly dropout: Dropout;

  constructor(config: DistilBertConfig, init: InitOptions) {
    super();
    this.word_embeddings = this.addModule('word_embeddings', new Embedding(config.vocab_size, config.dim, init));
    zeroPaddingRow(this.word_embeddings, config.pad_token_id);
    this.position_embeddings = this.addModule('position_embeddings', new Embedding(config.max_position_embeddings, config.dim, init));
    if (config.sinusoidal_pos_embds) {
      const table = sinusoidalPositions(config.max_position_embeddings, config.dim);
      this.position_embeddings.weight.assign(table);
      table.dispose();
      this.position_embeddings.weight.trainable = false;
    }
    this.LayerNorm = this.addModule('LayerNorm', new LayerNorm(config.dim, 1e-12));
    this.dropout = this.addModule('dropout', new Dropout(config.dropout));
  }

  forward(inputIds: tf.Tensor2D, context: ForwardContext = {}): tf.Tensor {
    return tf.tidy(() => {
      const positions = this.position_embeddings.forward(tf.range(0, inputIds.shape[1], 1, 'int32'));
      const sum = tf.add(this.word_embeddings.forward(inputIds), positions);
      return this.dropout.forward(this.LayerNorm.forward(sum), context);
    });
  }
}
