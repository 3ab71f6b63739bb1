import { z } from 'zod';
import { parseConfig } from './parse-config';
import { checkStructureFields, structureFieldsSchema } from './structure-fields';

const positiveInt = z.number().int().positive();
const probability = z.number().min(0).lt(1);

/** Shared label fields of Hugging Face configs (`id2label` wins over `num_labels`). */
export const labelFieldsSchema = {
  /** Outputs of a classification head; 1 means regression. */
  num_labels: positiveInt.optional(),
  id2label: z.record(z.string(), z.string()).optional(),
  label2id: z.record(z.string(), z.number().int()).optional(),
  problem_type: z.enum(['regression', 'single_label_classification', 'multi_label_classification']).nullable().optional(),
  architectures: z.array(z.string()).nullable().optional(),
};

/**
 * Zod schema of a BERT config, with Hugging Face `BertConfig` field names. Shape fields are
 * required; the rest default as in `transformers`. Unknown fields are kept (so a
 * `config.json` round-trips). Structurally pruned models carry Hugging Face's
 * `pruned_heads` (original head indices per layer; head size stays
 * `hidden_size / num_attention_heads`) and pofa's `intermediate_sizes` (one FFN width per
 * layer, which Hugging Face cannot load).
 */
export const bertConfigSchema = z
  .object({
    model_type: z.literal('bert').default('bert'),
    vocab_size: positiveInt,
    hidden_size: positiveInt,
    num_hidden_layers: positiveInt,
    num_attention_heads: positiveInt,
    intermediate_size: positiveInt,
    /** `gelu` is the exact erf form, `gelu_new` the tanh approximation. */
    hidden_act: z.enum(['gelu', 'gelu_new', 'gelu_pytorch_tanh', 'relu', 'tanh']).default('gelu'),
    hidden_dropout_prob: probability.default(0.1),
    attention_probs_dropout_prob: probability.default(0.1),
    classifier_dropout: probability.nullable().optional(),
    max_position_embeddings: positiveInt.default(512),
    type_vocab_size: positiveInt.default(2),
    layer_norm_eps: z.number().positive().default(1e-12),
    initializer_range: z.number().positive().default(0.02),
    pad_token_id: z.number().int().min(0).default(0),
    position_embedding_type: z.literal('absolute').default('absolute'),
    ...structureFieldsSchema,
    ...labelFieldsSchema,
  })
  .passthrough()
  .superRefine((config, context) => {
    if (config.hidden_size % config.num_attention_heads !== 0) {
      context.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['num_attention_heads'],
        message: `hidden_size ${config.hidden_size} is not divisible by num_attention_heads ${config.num_attention_heads}`,
      });
    }
    if (config.pad_token_id >= config.vocab_size) {
      context.addIssue({ code: z.ZodIssueCode.custom, path: ['pad_token_id'], message: 'pad_token_id must be below vocab_size' });
    }
    checkStructureFields(config, {
      layers: config.num_hidden_layers,
      heads: config.num_attention_heads,
      names: { layers: 'num_hidden_layers', heads: 'num_attention_heads' },
    }, context);
  })
  .transform((config) => ({ ...config, num_labels: labelCount(config) }));

/** A validated BERT config (Hugging Face field names). */
export type BertConfig = z.output<typeof bertConfigSchema>;
/** What {@link createBertConfig} accepts: shape fields required, the rest optional. */
export type BertConfigInput = z.input<typeof bertConfigSchema>;

/** The number of labels: `id2label`'s size, else `num_labels`, else 2 (as in `transformers`). */
export function labelCount(config: { num_labels?: number; id2label?: Record<string, string> }): number {
  if (config.id2label !== undefined && Object.keys(config.id2label).length > 0) return Object.keys(config.id2label).length;
  return config.num_labels ?? 2;
}

/**
 * Validates a BERT config; a bad one is a `ConfigError` naming the field.
 *
 * @example
 * ```ts
 * const config = createBertConfig({ vocab_size: 99, hidden_size: 32, num_hidden_layers: 2,
 *   num_attention_heads: 4, intermediate_size: 37 });
 * ```
 */
export function createBertConfig(raw: BertConfigInput | Record<string, unknown>): BertConfig {
  return parseConfig(bertConfigSchema, raw, 'BertConfig');
}
