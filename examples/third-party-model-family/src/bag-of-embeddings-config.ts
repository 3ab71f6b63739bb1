import { z } from 'zod';

/** The `model_type` this family's `config.json` files carry. */
export const BAG_OF_EMBEDDINGS_MODEL_TYPE = 'bag-of-embeddings';

/**
 * The `config.json` of a bag-of-embeddings model, Hugging Face style (snake_case keys). Other
 * keys a hub config carries (`architectures`, `torch_dtype`...) are dropped.
 *
 * @example
 * ```ts
 * bagOfEmbeddingsConfigSchema.parse({ model_type: 'bag-of-embeddings', vocab_size: 100, hidden_size: 8 });
 * // { model_type: 'bag-of-embeddings', vocab_size: 100, hidden_size: 8, num_labels: 2, initializer_range: 0.02, seed: 0 }
 * ```
 */
export const bagOfEmbeddingsConfigSchema = z.object({
  model_type: z.literal(BAG_OF_EMBEDDINGS_MODEL_TYPE),
  vocab_size: z.number().int().positive(),
  hidden_size: z.number().int().positive(),
  num_labels: z.number().int().min(2).default(2),
  /** Standard deviation of the initial weights (a loaded checkpoint overwrites them). */
  initializer_range: z.number().positive().default(0.02),
  /** Seeds the initial weights. */
  seed: z.number().int().default(0),
});

/** A parsed {@link bagOfEmbeddingsConfigSchema}. */
export type BagOfEmbeddingsConfig = z.output<typeof bagOfEmbeddingsConfigSchema>;
