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

/**
 * The loss of `BertForQuestionAnswering`: (CE(start) + CE(end)) / 2, each cross-entropy over the
 * sequence positions. As in Hugging Face, positions are clamped to `[0, seq]` and the value `seq`
 * (a position outside the window, after clamping) is ignored: each half averages over the rows
 * it keeps (0 when none is kept). `startLogits`, `endLogits` `[batch, seq]`; `startPositions`,
 * `endPositions` int32 `[batch]` token indices (0, `[CLS]`, when the answer is not in the window).
 *
 * @example
 * ```ts
 * const { startLogits, endLogits } = model.forward(inputs);
 * const loss = questionAnsweringLoss(startLogits!, endLogits!, tf.tensor1d([5], 'int32'), tf.tensor1d([7], 'int32'));
 * ```
 */
export function questionAnsweringLoss(startLogits: tf.Tensor, endLogits: tf.Tensor, startPositions: tf.Tensor, endPositions: tf.Tensor): tf.Scalar {
  const [batch, seq] = startLogits.shape;
  const shapesMatch = startLogits.rank === 2 && tf.util.arraysEqual(startLogits.shape, endLogits.shape);
  if (!shapesMatch || !tf.util.arraysEqual(startPositions.shape, [batch]) || !tf.util.arraysEqual(endPositions.shape, [batch])) {
    throw new ShapeError('Span positions do not match the span logits', {
      expected: 'startLogits and endLogits [batch, seq] with startPositions and endPositions [batch]',
      received: `logits [${startLogits.shape.join(', ')}] and [${endLogits.shape.join(', ')}], positions [${startPositions.shape.join(', ')}] and [${endPositions.shape.join(', ')}]`,
    });
  }
  return tf.tidy(() => {
    const half = (logits: tf.Tensor, positions: tf.Tensor): tf.Scalar => {
      const clamped = tf.clipByValue(tf.cast(positions, 'int32'), 0, seq as number);
      const keep = tf.cast(tf.less(clamped, seq as number), 'float32');
      return softmaxCrossEntropy(logits, clamped, tf.div(keep, tf.maximum(tf.sum(keep), 1)));
    };
    return tf.div(tf.add(half(startLogits, startPositions), half(endLogits, endPositions)), 2) as tf.Scalar;
  });
}
