import type { ModelFamily } from '@pofa/core';
import { BagOfEmbeddings } from './bag-of-embeddings';
import { BAG_OF_EMBEDDINGS_MODEL_TYPE, bagOfEmbeddingsConfigSchema, type BagOfEmbeddingsConfig } from './bag-of-embeddings-config';

/**
 * The model family `example/bag-of-embeddings`: it reads `config.json` files whose
 * `model_type` is `"bag-of-embeddings"`. Registered, it is what `loadPretrained(dir, { registry })`
 * of `@pofa/models` builds for such a folder.
 *
 * @example
 * ```ts
 * const model = bagOfEmbeddingsFamily.create(bagOfEmbeddingsFamily.configSchema.parse({ model_type: 'bag-of-embeddings', vocab_size: 100, hidden_size: 8 }));
 * ```
 */
export const bagOfEmbeddingsFamily: ModelFamily<BagOfEmbeddingsConfig, BagOfEmbeddings> = {
  specificationVersion: 'v1',
  name: 'example/bag-of-embeddings',
  description: 'Mean of the token embeddings, then a linear classifier (fastText-style)',
  modelType: BAG_OF_EMBEDDINGS_MODEL_TYPE,
  configSchema: bagOfEmbeddingsConfigSchema,
  create: (config) => new BagOfEmbeddings(config),
};
