import { ConfigError, type tf } from '@pofa/core';
import type { DistillationFeature } from './distillation-config';

/**
 * The named features a model adapter returns (`@pofa/models`' outputs fit): `hidden[0]` is
 * the embedding output, `hidden[i]` layer i; per-layer arrays hold layer i at index i − 1.
 */
export interface DistillationFeatures {
  logits?: tf.Tensor;
  hidden?: readonly tf.Tensor[];
  attentionScores?: readonly tf.Tensor[];
  attentionProbs?: readonly tf.Tensor[];
  values?: readonly tf.Tensor[];
  /** `[batch, seq]`, 1 for tokens and 0 for padding. */
  mask?: tf.Tensor;
}

/** What a forward pass must keep for a set of matched features (`@pofa/models`' `FeatureRequest`). */
export interface FeatureRequest {
  hidden?: boolean;
  attentionScores?: boolean;
  attentionProbs?: boolean;
  values?: boolean;
}

/**
 * The feature request that covers `features`.
 *
 * @example
 * ```ts
 * featureRequest(['embeddings', 'attentionScores']); // { hidden: true, attentionScores: true }
 * ```
 */
export function featureRequest(features: readonly DistillationFeature[]): FeatureRequest {
  const request: FeatureRequest = {};
  for (const feature of features) request[feature === 'embeddings' ? 'hidden' : feature] = true;
  return request;
}

/**
 * The tensor of `feature` at `layer` in `features`; a {@link ConfigError} saying what to
 * request when it is missing.
 *
 * @example
 * ```ts
 * selectFeature(outputs, 'hidden', 3, 'student'); // outputs.hidden[3]
 * selectFeature(outputs, 'attentionProbs', 3, 'student'); // outputs.attentionProbs[2]
 * ```
 */
export function selectFeature(features: DistillationFeatures, feature: DistillationFeature, layer: number, side: string): tf.Tensor {
  const list = feature === 'embeddings' ? features.hidden : features[feature];
  const index = feature === 'embeddings' ? 0 : feature === 'hidden' ? layer : layer - 1;
  const tensor = list?.[index];
  if (tensor !== undefined) return tensor;
  throw new ConfigError(`The ${side} outputs have no ${feature} for layer ${layer}`, {
    expected: feature === 'hidden' || feature === 'embeddings' ? `hidden[${index}]` : `${feature}[${index}] (layer ${layer}, 1-based)`,
    received: list === undefined ? `no ${feature}` : `${list.length} entries`,
    hint: `Request { features: { ${feature === 'embeddings' ? 'hidden' : feature}: true } } in the ${side} forward pass and check the layer numbers`,
  });
}
