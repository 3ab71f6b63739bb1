import { ConfigError, effectiveValues, ENCODER_LINEAR_WEIGHTS, MASK_TRANSFORM_KIND, matchesTarget, type MaskTransform, type Parameter } from '@pofa/core';
import { z } from 'zod';
import { packWeight } from '../formats/pack-weight';
import { quantizeWeightInt8 } from '../formats/quantize-weight';
import { bundleTaskSchema, bundleTokenizerSchema } from './bundle-deployment';
import type { BundleQuantization } from './bundle-header';
import type { BundleTensor } from './bundle-types';
import { encoderConfigSchema, type EncoderConfig } from './encoder-config';
import { layerTensorNames } from './encoder-tensors';
import { writeBundle } from './write-bundle';

/**
 * What {@link exportBundle} needs of a model: a `BertModel` or `DistilBertModel` of
 * `@pofa/models` fits (structurally, so this package does not depend on that one).
 */
export interface ExportableModel {
  readonly family: 'bert' | 'distilbert';
  readonly task: string;
  readonly config: Record<string, unknown>;
  namedParameters(): Array<[string, Parameter]>;
}

/** Options of {@link exportBundle}. */
export const exportBundleOptionsSchema = z
  .object({
    /** Packed format of the selected weights (default `csr`). */
    format: z.enum(['dense', 'csr', 'block', 'bitmask', 'nm']).default('csr'),
    /** Tile of the `block` format (default `[4, 1]`: 4 output rows × 1 input). */
    block: z.tuple([z.number().int().positive(), z.number().int().positive()]).default([4, 1]),
    /** N:M of the `nm` format (default 2:4). */
    n: z.number().int().min(0).default(2),
    m: z.number().int().positive().max(255).default(4),
    /** Store the packed weights as int8 (symmetric, per output row); `scales` overrides max-abs scales by name (e.g. from QAT). */
    int8: z
      .union([
        z.boolean(),
        z
          .object({
            scales: z.record(z.string(), z.custom<Float32Array>((value) => value instanceof Float32Array, { message: 'expected a Float32Array of per-row scales' })).optional(),
            activations: z.record(z.string(), z.tuple([z.number(), z.number()])).optional(),
          })
          .strict(),
      ])
      .default(false),
    /** Weights to pack (glob patterns over dotted names); default: the encoder Linear weights. */
    include: z.array(z.string()).optional(),
    /** The tokenizer vocabulary to embed (one token per id). */
    tokenizerVocab: z.array(z.string()).optional(),
    /** How to tokenize text for the model (needs `tokenizerVocab`); makes the bundle usable from text. */
    tokenizer: bundleTokenizerSchema.optional(),
    /** What the head answers: task kind and label names. */
    task: bundleTaskSchema.optional(),
    metadata: z.record(z.string(), z.string()).optional(),
  })
  .strict();

export type ExportBundleOptions = z.input<typeof exportBundleOptionsSchema>;

function numberField(config: Record<string, unknown>, name: string, fallback?: number): number {
  const value = config[name] ?? fallback;
  if (typeof value !== 'number') throw new ConfigError(`The model config has no numeric "${name}"`, { expected: 'a number', received: String(value) });
  return value;
}

/**
 * The family-neutral {@link EncoderConfig} of a model; heads and FFN widths per layer are read
 * from the parameter shapes, so structurally pruned models export as they are.
 *
 * @example
 * ```ts
 * const config = encoderConfigOf(model); // { family: 'bert', numLayers: 12, ... }
 * ```
 */
export function encoderConfigOf(model: ExportableModel): EncoderConfig {
  const c = model.config;
  const bert = model.family === 'bert';
  const parameters = new Map(model.namedParameters());
  const hidden = numberField(c, bert ? 'hidden_size' : 'dim');
  const numHeads = numberField(c, bert ? 'num_attention_heads' : 'n_heads');
  const numLayers = numberField(c, bert ? 'num_hidden_layers' : 'n_layers');
  const rowsOf = (name: string) => parameters.get(name)?.shape[0] ?? 0;
  const layers = Array.from({ length: numLayers }, (_, layer) => layerTensorNames(model.family, layer));
  return encoderConfigSchema.parse({
    family: model.family,
    task: model.task,
    vocabSize: numberField(c, 'vocab_size'),
    hiddenSize: hidden,
    numLayers,
    numHeads,
    headsPerLayer: layers.map((names) => rowsOf(names.query.weight) / (hidden / numHeads)),
    intermediateSizes: layers.map((names) => rowsOf(names.intermediate.weight)),
    activation: (bert ? c.hidden_act : c.activation) ?? 'gelu',
    layerNormEps: bert ? numberField(c, 'layer_norm_eps', 1e-12) : 1e-12,
    maxPositions: numberField(c, 'max_position_embeddings'),
    typeVocabSize: bert ? numberField(c, 'type_vocab_size', 2) : 0,
    padTokenId: numberField(c, 'pad_token_id', 0),
    numLabels: numberField(c, 'num_labels', 2),
    pooler: bert && parameters.has('pooler.dense.weight'),
    source: JSON.parse(JSON.stringify(c)),
  });
}

/** The effective weight of a parameter (a copy) and its mask, read in place (it lives as long as the model). */
function effectiveWeight(parameter: Parameter): { values: Float32Array; mask?: Float32Array } {
  const transform = parameter.findTransform(MASK_TRANSFORM_KIND) as MaskTransform | undefined;
  return { values: effectiveValues(parameter), mask: transform === undefined ? undefined : (transform.mask.dataSync() as Float32Array) };
}

/**
 * Writes a model as a `.pofa` bundle: the selected weights (default: the encoder Linear
 * weights) packed in `format` (kept where the mask transform keeps, or where the weight is
 * non-zero after `squash()`), optionally int8 per output row; everything else dense fp32. With
 * the vocabulary, tokenizer settings and task the bundle is self-contained: `@pofa/runtime`'s
 * `pipeline()` turns text into labels or answers from it alone.
 * Returns the file size in bytes.
 *
 * @example
 * ```ts
 * await exportBundle(model, 'model.pofa', {
 *   format: 'block', block: [4, 1], int8: true, tokenizerVocab: tokenizer.getVocab(),
 *   tokenizer: bundleTokenizerOf(tokenizer), task: { kind: 'classification', labels: ['ham', 'spam'] },
 * });
 * ```
 */
export async function exportBundle(model: ExportableModel, path: string, options: ExportBundleOptions = {}): Promise<number> {
  const parsed = exportBundleOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new ConfigError('Invalid exportBundle options', {
      expected: 'options matching exportBundleOptionsSchema',
      received: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`).join('; '),
    });
  }
  const { format, block, n, m, int8, include, tokenizerVocab, tokenizer, task, metadata } = parsed.data;
  const config = encoderConfigOf(model);
  const patterns = include ?? ENCODER_LINEAR_WEIGHTS;
  const tensors = new Map<string, BundleTensor>();
  for (const [name, parameter] of model.namedParameters()) {
    const { values, mask } = effectiveWeight(parameter);
    const packs = parameter.shape.length === 2 && patterns.some((pattern) => matchesTarget(name, pattern));
    if (!packs) {
      tensors.set(name, { shape: [...parameter.shape], data: values });
      continue;
    }
    const [rows, cols] = parameter.shape;
    let packed = packWeight(values, rows, cols, { format, block, n, m, ...(mask === undefined ? {} : { mask }) });
    if (int8 !== false) packed = quantizeWeightInt8(packed, typeof int8 === 'object' && int8.scales?.[name] !== undefined ? { scales: int8.scales[name] } : {});
    tensors.set(name, packed);
  }
  const quantization: BundleQuantization | undefined =
    int8 === false
      ? undefined
      : { weights: { bits: 8, symmetric: true, granularity: 'per-row' }, ...(typeof int8 === 'object' && int8.activations !== undefined ? { activations: int8.activations } : {}) };
  const deployment = { ...(tokenizer === undefined ? {} : { tokenizer }), ...(task === undefined ? {} : { task }) };
  return writeBundle(path, { config, tensors, ...(tokenizerVocab === undefined ? {} : { vocab: tokenizerVocab }), ...deployment, ...(quantization === undefined ? {} : { quantization }), ...(metadata === undefined ? {} : { metadata }) });
}
