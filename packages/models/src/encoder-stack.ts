import { tf, type ForwardContext } from '@pofa/core';
import type { FeatureRequest, LayerFeatures, ModelOutputs } from './features';

/** What {@link runEncoderLayers} needs of a transformer layer (BERT's and DistilBERT's fit). */
export interface EncoderLayerLike {
  forward(hidden: tf.Tensor, additiveMask: tf.Tensor4D, context: ForwardContext, features?: FeatureRequest): { output: tf.Tensor } & LayerFeatures;
}

type LayerResult = ReturnType<EncoderLayerLike['forward']>;

/**
 * Runs `layers` in order from the embedding output `embedded`, collecting the requested
 * features into `outputs` (`hidden[0]` is the embedding output, `hidden[i]` layer i's) and
 * setting `outputs.lastHidden`. Shared by the BERT and DistilBERT forward passes; call it
 * inside their `tf.tidy`. Each layer runs in its own `tf.tidy`, so a layer's intermediates (the
 * `[batch, heads, seq, seq]` attention scores above all) are freed when it ends instead of piling
 * up over all layers: BERT-Base at 16 × 512 tokens would otherwise hold about 15 GB. Gradients
 * are unaffected (tfjs keeps what the backward pass needs).
 *
 * @example
 * ```ts
 * const last = runEncoderLayers(this.encoder.layer.items, embedded, additiveMask, context, features, outputs);
 * ```
 */
export function runEncoderLayers(
  layers: readonly EncoderLayerLike[],
  embedded: tf.Tensor,
  additiveMask: tf.Tensor4D,
  context: ForwardContext,
  features: FeatureRequest,
  outputs: ModelOutputs,
): tf.Tensor {
  let hidden = embedded;
  if (features.hidden) outputs.hidden.push(hidden);
  for (const layer of layers) {
    const input = hidden;
    const result = tf.tidy(() => layer.forward(input, additiveMask, context, features) as LayerResult & tf.TensorContainerObject) as LayerResult;
    hidden = result.output;
    if (features.hidden) outputs.hidden.push(hidden);
    if (result.scores !== undefined) outputs.attentionScores.push(result.scores);
    if (result.probs !== undefined) outputs.attentionProbs.push(result.probs);
    if (result.values !== undefined) outputs.values.push(result.values);
  }
  outputs.lastHidden = hidden;
  return hidden;
}
