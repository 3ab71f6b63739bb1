import { z } from 'zod';

const positive = (max: number) => z.number().int().positive().max(max);

/**
 * The family-neutral description of an encoder that a bundle carries and the runtime runs:
 * BERT or DistilBERT (post-LN), possibly structurally pruned (`headsPerLayer`,
 * `intermediateSizes`), with the head of `task`. `source` keeps the model's own config
 * (Hugging Face field names) so tools can round-trip it.
 *
 * @example
 * ```ts
 * const config = encoderConfigSchema.parse({ family: 'bert', task: 'base', vocabSize: 99, hiddenSize: 32,
 *   numLayers: 2, numHeads: 4, headsPerLayer: [4, 4], intermediateSizes: [37, 37], activation: 'gelu',
 *   layerNormEps: 1e-12, maxPositions: 64, typeVocabSize: 2, padTokenId: 0, numLabels: 2, pooler: true });
 * ```
 */
export const encoderConfigSchema = z
  .object({
    family: z.enum(['bert', 'distilbert']),
    task: z.enum(['base', 'masked-lm', 'sequence-classification', 'question-answering']),
    vocabSize: positive(2 ** 24),
    hiddenSize: positive(65536),
    numLayers: positive(1024),
    /** Heads of an unpruned layer; the head size is `hiddenSize / numHeads`. */
    numHeads: positive(4096),
    /** Heads each layer keeps (structured pruning may remove some). */
    headsPerLayer: z.array(positive(4096)),
    /** FFN width of each layer. */
    intermediateSizes: z.array(positive(2 ** 20)),
    activation: z.enum(['gelu', 'gelu_new', 'gelu_pytorch_tanh', 'relu', 'tanh']),
    layerNormEps: z.number().positive().max(1),
    maxPositions: positive(2 ** 20),
    /** Segment vocabulary; 0 for DistilBERT, which has none. */
    typeVocabSize: z.number().int().min(0).max(1024),
    padTokenId: z.number().int().min(0),
    numLabels: positive(2 ** 20),
    /** Whether BERT's pooler is present (always false for DistilBERT). */
    pooler: z.boolean(),
    source: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()
  .superRefine((config, context) => {
    const issue = (path: string, message: string) => context.addIssue({ code: z.ZodIssueCode.custom, path: [path], message });
    if (config.hiddenSize % config.numHeads !== 0) issue('numHeads', 'hiddenSize must be divisible by numHeads');
    if (config.headsPerLayer.length !== config.numLayers) issue('headsPerLayer', 'needs one entry per layer');
    if (config.intermediateSizes.length !== config.numLayers) issue('intermediateSizes', 'needs one entry per layer');
    if (config.headsPerLayer.some((heads) => heads > config.numHeads)) issue('headsPerLayer', 'a layer has more heads than numHeads');
    if (config.padTokenId >= config.vocabSize) issue('padTokenId', 'must be below vocabSize');
    if (config.family === 'distilbert' && (config.typeVocabSize !== 0 || config.pooler)) {
      issue('family', 'DistilBERT has no token types and no pooler');
    }
    if (config.task === 'sequence-classification' && config.family === 'bert' && !config.pooler) issue('pooler', 'BERT classification needs the pooler');
  });

/** A validated encoder config. */
export type EncoderConfig = z.infer<typeof encoderConfigSchema>;

/** The width of one attention head. */
export function headSize(config: EncoderConfig): number {
  return config.hiddenSize / config.numHeads;
}
