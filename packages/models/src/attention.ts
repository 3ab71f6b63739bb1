import { tf, type Dropout, type ForwardContext } from '@pofa/core';
import type { FeatureRequest, LayerFeatures } from './features';

/**
 * The value added to the attention scores of padding positions: float32's lowest finite
 * number, as Hugging Face does (`(1 - mask) * torch.finfo(float32).min`). Distillation losses
 * on raw scores should treat scores at or below -1e4 as masked.
 */
export const ATTENTION_MASK_VALUE = -3.4028234663852886e38;

/**
 * The additive mask `[batch, 1, 1, seq]`: 0 where `mask` is 1, {@link ATTENTION_MASK_VALUE}
 * where it is 0.
 *
 * @example
 * ```ts
 * const additive = additiveAttentionMask(tf.tensor2d([[1, 1, 0]])); // [[[[0, 0, -3.4e38]]]]
 * ```
 */
export function additiveAttentionMask(mask: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => {
    const [batch, seq] = mask.shape;
    return tf.mul(tf.sub(1, tf.reshape(mask, [batch, 1, 1, seq])), ATTENTION_MASK_VALUE) as tf.Tensor4D;
  });
}

function splitHeads(x: tf.Tensor, heads: number): tf.Tensor4D {
  const [batch, seq, width] = x.shape;
  return tf.transpose(tf.reshape(x, [batch, seq, heads, width / heads]), [0, 2, 1, 3]) as tf.Tensor4D;
}

/** What {@link scaledDotProductAttention} needs: projected inputs `[batch, seq, hidden]`. */
export interface AttentionInputs {
  query: tf.Tensor;
  key: tf.Tensor;
  value: tf.Tensor;
  additiveMask: tf.Tensor4D;
  heads: number;
  dropout: Dropout;
  context: ForwardContext;
  features?: FeatureRequest;
}

/**
 * Multi-head scaled dot-product attention as in Hugging Face BERT: softmax(q·kᵀ/√d + mask),
 * dropout on the probabilities, times v, heads merged back to `[batch, seq, hidden]`.
 * Returns the requested features too. Call inside `tf.tidy`.
 *
 * @example
 * ```ts
 * const { context } = scaledDotProductAttention({ query, key, value, additiveMask, heads: 12, dropout, context: {} });
 * ```
 */
export function scaledDotProductAttention(inputs: AttentionInputs): { context: tf.Tensor } & LayerFeatures {
  const { heads, features = {} } = inputs;
  const [batch, seq, width] = inputs.query.shape;
  const query = splitHeads(inputs.query, heads);
  const key = splitHeads(inputs.key, heads);
  const value = splitHeads(inputs.value, heads);
  const scaled = tf.div(tf.matMul(query, key, false, true), Math.sqrt(width / heads));
  const scores = tf.add(scaled, inputs.additiveMask);
  const probs = tf.softmax(scores, -1);
  const dropped = inputs.dropout.forward(probs, inputs.context);
  const merged = tf.reshape(tf.transpose(tf.matMul(dropped, value), [0, 2, 1, 3]), [batch, seq, width]);
  return {
    context: merged,
    scores: features.attentionScores ? scores : undefined,
    probs: features.attentionProbs ? probs : undefined,
    values: features.values ? value : undefined,
  };
}
