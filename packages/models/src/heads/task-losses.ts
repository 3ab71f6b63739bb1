import { ShapeError, softmaxCrossEntropy, tf } from '@pofa/core';

/** The label Hugging Face uses for positions without a masked LM target. */
export const IGNORE_INDEX = -100;

/**
 * Masked LM cross-entropy, averaged over the positions whose label is not
 * {@link IGNORE_INDEX} (as `BertForMaskedLM` computes it). `logits` `[batch, seq, vocab]`,
 * `labels` int32 `[batch, seq]`.
 *
 * @example
 * ```ts
 * const loss = maskedLmLoss(outputs.logits!, tf.tensor2d([[-100, 2023, -100]], undefined, 'int32'));
 * ```
 */
export function maskedLmLoss(logits: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  const vocab = logits.shape[logits.rank - 1];
  if (!tf.util.arraysEqual(logits.shape.slice(0, -1), labels.shape)) {
    throw new ShapeError('Masked LM labels do not match the logits', {
      expected: `labels of shape [${logits.shape.slice(0, -1).join(', ')}]`,
      received: `shape [${labels.shape.join(', ')}]`,
    });
  }
  return tf.tidy(() => {
    const flatLabels = tf.reshape(labels, [-1]);
    const keep = tf.cast(tf.notEqual(flatLabels, IGNORE_INDEX), 'float32');
    const weights = tf.div(keep, tf.maximum(tf.sum(keep), 1));
    return softmaxCrossEntropy(tf.reshape(logits, [-1, vocab]), flatLabels, weights);
  });
}

/**
 * The loss of `BertForSequenceClassification`: mean squared error when there is one output
 * (regression, float labels), else cross-entropy on int32 class labels. `logits`
 * `[batch, numLabels]`, `labels` `[batch]`.
 *
 * @example
 * ```ts
 * const loss = sequenceClassificationLoss(outputs.logits!, tf.tensor1d([0, 2], 'int32'));
 * ```
 */
export function sequenceClassificationLoss(logits: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  const [batch, count] = logits.shape;
  if (logits.rank !== 2 || labels.rank !== 1 || labels.shape[0] !== batch) {
    throw new ShapeError('Classification labels do not match the logits', {
      expected: `logits [batch, numLabels] and labels [batch]`,
      received: `logits [${logits.shape.join(', ')}], labels [${labels.shape.join(', ')}]`,
    });
  }
  return tf.tidy(() => {
    if (count === 1) return tf.mean(tf.square(tf.sub(tf.reshape(logits, [batch]), tf.cast(labels, 'float32')))) as tf.Scalar;
    return softmaxCrossEntropy(logits, tf.cast(labels, 'int32'), tf.fill([batch], 1 / batch));
  });
}
