import { Embedding, Linear, Module, PofaError, ShapeError, createRandom, tf } from '@pofa/core';
import type { BagOfEmbeddingsConfig } from './bag-of-embeddings-config';

/** The inputs of {@link BagOfEmbeddings.forward}: token ids and, for padded batches, a 0/1 mask. */
export interface BagOfEmbeddingsInputs {
  /** int32 `[batch, seq]`. */
  inputIds: tf.Tensor;
  /** `[batch, seq]`, 1 for tokens and 0 for padding; all ones when absent. */
  attentionMask?: tf.Tensor;
}

function checkInputs({ inputIds, attentionMask }: BagOfEmbeddingsInputs, vocabSize: number): void {
  if (inputIds.dtype !== 'int32' || inputIds.rank !== 2) {
    throw new ShapeError('inputIds must be an int32 [batch, seq] tensor', { expected: 'int32, rank 2', received: `${inputIds.dtype}, shape [${inputIds.shape.join(', ')}]` });
  }
  if (attentionMask !== undefined && !tf.util.arraysEqual(attentionMask.shape, inputIds.shape)) {
    throw new ShapeError('attentionMask must have the shape of inputIds', { expected: `[${inputIds.shape.join(', ')}]`, received: `[${attentionMask.shape.join(', ')}]` });
  }
  const outside = Array.from(inputIds.dataSync()).find((id) => id < 0 || id >= vocabSize);
  if (outside !== undefined) {
    throw new PofaError('inputIds hold an id outside the vocabulary', {
      expected: `ids in [0, ${vocabSize - 1}] (vocab_size ${vocabSize})`,
      received: String(outside),
      hint: 'Tokenize with the vocabulary this model was trained with',
    });
  }
}

/**
 * A bag-of-embeddings text classifier (fastText-style): the mean of the token embeddings over
 * the unmasked positions, then a linear layer to `num_labels` logits. Parameters:
 * `embeddings.weight` `[vocab_size, hidden_size]`, `classifier.weight` `[num_labels, hidden_size]`
 * and `classifier.bias` `[num_labels]` — the names its checkpoints use.
 *
 * @example
 * ```ts
 * const model = new BagOfEmbeddings({ model_type: 'bag-of-embeddings', vocab_size: 100, hidden_size: 8, num_labels: 2, initializer_range: 0.02, seed: 0 });
 * const logits = model.forward({ inputIds: tf.tensor2d([[5, 7, 0]], undefined, 'int32'), attentionMask: tf.tensor2d([[1, 1, 0]]) }); // [1, 2]
 * ```
 */
export class BagOfEmbeddings extends Module {
  readonly embeddings: Embedding;
  readonly classifier: Linear;

  constructor(readonly config: BagOfEmbeddingsConfig) {
    super();
    const random = createRandom(config.seed);
    const init = { random, std: config.initializer_range };
    this.embeddings = this.addModule('embeddings', new Embedding(config.vocab_size, config.hidden_size, init));
    this.classifier = this.addModule('classifier', new Linear(config.hidden_size, config.num_labels, init));
  }

  /** Logits `[batch, num_labels]`; the caller disposes them. */
  forward(inputs: BagOfEmbeddingsInputs): tf.Tensor {
    checkInputs(inputs, this.config.vocab_size);
    return tf.tidy(() => {
      const vectors = this.embeddings.forward(inputs.inputIds); // [batch, seq, hidden]
      const mask = inputs.attentionMask === undefined ? tf.ones(inputs.inputIds.shape) : tf.cast(inputs.attentionMask, 'float32');
      const summed = tf.sum(tf.mul(vectors, tf.expandDims(mask, -1)), 1); // [batch, hidden]
      const counts = tf.maximum(tf.sum(mask, 1, true), 1); // [batch, 1]: an all-padding row averages nothing
      return this.classifier.forward(tf.div(summed, counts));
    });
  }
}
