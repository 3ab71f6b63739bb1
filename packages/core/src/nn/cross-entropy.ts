import { ShapeError } from '../errors/shape-error';
import { customOp, FUSED_KERNELS, hasFusedKernels, runFusedKernel } from '../tensor/fused-kernels';
import { tf } from '../tensor/tf';

function validLabels(labels: tf.Tensor, classes: number): tf.Tensor {
  return tf.logicalAnd(tf.greaterEqual(labels, 0), tf.less(labels, classes));
}

/** Per-row loss and log-sum-exp from standard ops (any backend). */
function compositeForward(logits: tf.Tensor2D, labels: tf.Tensor1D): [tf.Tensor, tf.Tensor] {
  const [rows, classes] = logits.shape;
  const valid = validLabels(labels, classes);
  const safe = tf.where(valid, labels, tf.zerosLike(labels));
  const logSumExp = tf.logSumExp(logits, -1);
  const flat = tf.add(tf.mul(tf.range(0, rows, 1, 'int32'), tf.scalar(classes, 'int32')), safe);
  const picked = tf.gather(tf.reshape(logits, [-1]), flat);
  return [tf.mul(tf.sub(logSumExp, picked), tf.cast(valid, 'float32')), logSumExp];
}

function compositeGradient(logits: tf.Tensor2D, labels: tf.Tensor1D, logSumExp: tf.Tensor, scale: tf.Tensor): tf.Tensor {
  const classes = logits.shape[1];
  const valid = validLabels(labels, classes);
  const rowScale = tf.expandDims(tf.mul(scale, tf.cast(valid, 'float32')), 1);
  const probs = tf.exp(tf.sub(logits, tf.expandDims(logSumExp, 1)));
  const targets = tf.oneHot(tf.where(valid, labels, tf.zerosLike(labels)), classes);
  return tf.mul(tf.sub(probs, targets), rowScale);
}

/**
 * Weighted softmax cross-entropy with integer labels: Σ over rows of
 * `weights[r] · (log Σ_c exp(logits[r, c]) − logits[r, labels[r]])`. Rows whose label lies
 * outside `[0, classes)` (such as the −100 of ignored masked-LM positions) add nothing, whatever
 * their weight. Never builds a one-hot matrix or a log-softmax on the forward pass; on a backend
 * with the `PofaSoftmaxCrossEntropy` kernels (pofa-native) both passes are one sweep over the
 * logits. `logits` float32 `[rows, classes]`, `labels` int32 `[rows]`, `weights` float32 `[rows]`.
 *
 * @example
 * ```ts
 * // mean cross-entropy over the kept rows
 * const loss = softmaxCrossEntropy(logits, labels, tf.div(keep, tf.sum(keep)));
 * ```
 */
export function softmaxCrossEntropy(logits: tf.Tensor, labels: tf.Tensor, weights: tf.Tensor): tf.Scalar {
  if (logits.rank !== 2 || labels.rank !== 1 || weights.rank !== 1 || labels.shape[0] !== logits.shape[0] || weights.shape[0] !== logits.shape[0]) {
    throw new ShapeError('softmaxCrossEntropy needs logits [rows, classes] with labels and weights [rows]', {
      expected: `labels and weights of shape [${logits.shape[0]}] beside logits [rows, classes]`,
      received: `logits [${logits.shape.join(', ')}], labels [${labels.shape.join(', ')}], weights [${weights.shape.join(', ')}]`,
    });
  }
  const fused = logits.dtype === 'float32' && hasFusedKernels(FUSED_KERNELS.softmaxCrossEntropy, FUSED_KERNELS.softmaxCrossEntropyGrad);
  // Labels and weights are inputs only so that they stay alive for the gradient; they get none.
  const op = customOp(([input, intLabels, floatWeights], save) => {
    const x = input as tf.Tensor2D;
    const [rowLoss, logSumExp] = fused ? runFusedKernel(FUSED_KERNELS.softmaxCrossEntropy, { logits: x, labels: intLabels }) : compositeForward(x, intLabels as tf.Tensor1D);
    save([x, intLabels, floatWeights, logSumExp]);
    return {
      value: tf.sum(tf.mul(rowLoss, floatWeights)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedLogits, savedLabels, savedWeights, savedLogSumExp] = saved as [tf.Tensor2D, tf.Tensor1D, tf.Tensor, tf.Tensor];
        const scale = tf.mul(savedWeights, dy);
        const gradient = fused
          ? runFusedKernel(FUSED_KERNELS.softmaxCrossEntropyGrad, { logits: savedLogits, labels: savedLabels, logSumExp: savedLogSumExp, scale })[0]
          : compositeGradient(savedLogits, savedLabels, savedLogSumExp, scale);
        // (tfjs asks float32 gradients of every input on a differentiated path.)
        return [gradient, tf.zeros(savedLabels.shape), tf.zerosLike(savedWeights)];
      },
    };
  });
  return tf.tidy(() => {
    const intLabels = (labels.dtype === 'int32' ? labels : tf.cast(labels, 'int32')) as tf.Tensor1D;
    const floatWeights = weights.dtype === 'float32' ? weights : tf.cast(weights, 'float32');
    return op(logits, intLabels, floatWeights) as tf.Scalar;
  });
}
