import { z } from 'zod';
import { labelCount, labelFieldsSchema } from './bert-config';
import { parseConfig } from './parse-config';
import { checkStructureFields, structureFieldsSchema } from './structure-fields';

const positiveInt = z.number().int().positive();
const probability = z.number().min(0).lt(1);

/**
 * Zod schema of a DistilBERT config, with Hugging Face `DistilBertConfig` field names. Shape
 * fields are required; the rest default as in `transformers`; unknown fields are kept.
 * `pruned_heads` (Hugging Face's) and `intermediate_sizes` (pofa's, one `hidden_dim` per
 * layer) describe a structurally pruned model, as in `bertConfigSchema`.
 */
export const distilBertConfigSchema = z
  .object({
    model_type: z.literal('distilbert').default('distilbert'),
    vocab_size: positiveInt,
    dim: positiveInt,
    n_layers: positiveInt,
    n_heads: positiveInt,
    hidden_dim: positiveInt,
    activation: z.enum(['gelu', 'gelu_new', 'gelu_pytorch_tanh', 'relu']).default('gelu'),
    dropout: probability.default(0.1),
    attention_dropout: probability.default(0.1),
    max_position_embeddings: positiveInt.default(512),
    sinusoidal_pos_embds: z.boolean().default(false),
    qa_dropout: probability.default(0.1),
    seq_classif_dropout: probability.default(0.2),
    initializer_range: z.number().positive().default(0.02),
    pad_token_id: z.number().int().min(0).default(0),
    ...structureFieldsSchema,
    ...labelFieldsSchema,
  })
  .passthrough()
  .superRefine((config, context) => {
    if (config.dim % config.n_heads !== 0) {
      context.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['n_heads'],
        message: `dim ${config.dim} is not divisible by n_heads ${config.n_heads}`,
      });
    }
    if (config.pad_token_id >= config.vocab_size) {
      context.addIssue({ code: z.ZodIssueCode.custom, path: ['pad_token_id'], message: 'pad_token_id must be below vocab_size' });
    }
    checkStructureFields(config, { layers: config.n_layers, heads: config.n_heads, names: { layers: 'n_layers', heads: 'n_heads' } }, context);
  })
  .transform((config) => ({ ...config, num_labels: labelCount(config) }));

/** A validated DistilBERT config (Hugging Face field names). */
export type DistilBertConfig = z.output<typeof distilBertConfigSchema>;
/** What {@link createDistilBertConfig} accepts. */
export type DistilBertConfigInput = z.input<typeof distilBertConfigSchema>;

/**
 * Validates a DistilBERT config; a bad one is a `ConfigError` naming the field.
 *
 * @example
 * ```ts
 * const config = createDistilBertConfig({ vocab_size: 99, dim: 32, n_layers: 2, n_heads: 4, hidden_dim: 37 });
 * ```
 */
export function createDistilBertConfig(raw: DistilBertConfigInput | Record<string, unknown>): DistilBertConfig {
  return parseConfig(distilBertConfigSchema, raw, 'DistilBertConfig');
}
