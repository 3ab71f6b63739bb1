import { Module, Parameter, tf, type InitOptions } from '@pofa/core';

/**
 * The output projection of a masked LM head whose weight is the word embedding table (tied),
 * so only its `bias` is a parameter of its own: `logits = hidden · Eᵀ + bias`. A mask or
 * fake-quantizer on the embeddings therefore applies to the decoder too.
 *
 * @example
 * ```ts
 * const projector = new TiedProjection(30522);
 * const logits = projector.forward(hidden, model.embeddings.word_embeddings.weight);
 * ```
 */
export class TiedProjection extends Module {
  readonly bias: Parameter;

  constructor(readonly vocabSize: number, _init: InitOptions = {}) {
    super();
    this.bias = this.addParameter('bias', new Parameter(tf.zeros([vocabSize]), { decay: false }));
  }

  forward(hidden: tf.Tensor, embedding: Parameter): tf.Tensor {
    return tf.tidy(() => {
      const width = hidden.shape[hidden.rank - 1];
      const flat = tf.reshape(hidden, [-1, width]);
      const logits = tf.add(tf.matMul(flat, embedding.value(), false, true), this.bias.value());
      return tf.reshape(logits, [...hidden.shape.slice(0, -1), this.vocabSize]);
    });
  }
}

/**
 * Splits span QA logits `[batch, seq, 2]` into start and end logits, each `[batch, seq]`.
 *
 * @example
 * ```ts
 * const { startLogits, endLogits } = splitSpanLogits(qaOutputs.forward(hidden));
 * ```
 */
export function splitSpanLogits(logits: tf.Tensor): { startLogits: tf.Tensor; endLogits: tf.Tensor } {
  return tf.tidy(() => {
    const [batch, seq] = logits.shape;
    const [start, end] = tf.split(logits, 2, -1);
    return { startLogits: tf.reshape(start, [batch, seq]), endLogits: tf.reshape(end, [batch, seq]) };
  });
}
