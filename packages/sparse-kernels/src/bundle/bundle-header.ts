import { z } from 'zod';
import { bundleTaskSchema, bundleTokenizerSchema } from './bundle-deployment';

/**
 * Version of the `.pofa` layout this code writes. Version 2 adds the tokenizer settings and the
 * task (kind, label names) to the header; version 1 files (weights and vocabulary) still load.
 */
export const BUNDLE_VERSION = 2;
/** Every version this code reads. */
export const READABLE_BUNDLE_VERSIONS: readonly number[] = [1, 2];
/** The first four bytes of a `.pofa` file. */
export const BUNDLE_MAGIC = 'POFA';
/** Bytes of the fixed preamble before the JSON header. */
export const PREAMBLE_BYTES = 32;
/** Alignment of the data section and of every segment in it. */
export const SEGMENT_ALIGNMENT = 64;
/** Largest JSON header accepted (the vocabulary lives in the data section, not here). */
export const MAX_HEADER_BYTES = 16 * 1024 * 1024;

const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const dimension = z.number().int().positive().max(2 ** 31 - 1);

/** Where a segment lies: byte `offset` (a multiple of 64) and `length` within the data section. */
export const segmentSchema = z.object({ offset: count, length: count }).strict();
export type Segment = z.infer<typeof segmentSchema>;

/** How a sparse weight's kept positions are coded: all of them, a bitmask, or Rice-coded gaps. */
export const maskCodingSchema = z.discriminatedUnion('coding', [
  z.object({ coding: z.literal('full') }).strict(),
  z.object({ coding: z.literal('bitmask'), data: segmentSchema }).strict(),
  z.object({ coding: z.literal('rice'), parameter: z.number().int().min(0).max(24), data: segmentSchema }).strict(),
]);
export type MaskCoding = z.infer<typeof maskCodingSchema>;

/** How stored values are coded: raw little-endian fp32 / int8, or Huffman-coded int8. */
export const valueCodingSchema = z.discriminatedUnion('coding', [
  z.object({ coding: z.literal('raw'), dtype: z.enum(['float32', 'int8']), data: segmentSchema }).strict(),
  z.object({ coding: z.literal('huffman'), dtype: z.literal('int8'), lengths: segmentSchema, data: segmentSchema }).strict(),
]);
export type ValueCoding = z.infer<typeof valueCodingSchema>;

/** A dense fp32 parameter (embeddings, LayerNorm, biases, head weights). */
export const denseEntrySchema = z
  .object({ name: z.string().min(1), kind: z.literal('dense'), shape: z.array(dimension).min(1).max(4), data: segmentSchema })
  .strict();

/**
 * A packed `[rows, cols]` weight. `kept` counts stored elements (csr, bitmask), stored tiles
 * (block) or slots (nm: `rows × ceil(cols / m) × n`, positions in `positions`).
 */
export const packedEntrySchema = z
  .object({
    name: z.string().min(1),
    kind: z.literal('packed'),
    format: z.enum(['dense', 'csr', 'block', 'nm', 'bitmask']),
    shape: z.tuple([dimension, dimension]),
    block: z.tuple([dimension, dimension]).optional(),
    n: z.number().int().min(0).max(255).optional(),
    m: z.number().int().positive().max(255).optional(),
    kept: count,
    mask: maskCodingSchema,
    positions: segmentSchema.optional(),
    values: valueCodingSchema,
    scales: segmentSchema.optional(),
  })
  .strict();

export const tensorEntrySchema = z.discriminatedUnion('kind', [denseEntrySchema, packedEntrySchema]);
export type TensorEntry = z.infer<typeof tensorEntrySchema>;
export type DenseEntry = z.infer<typeof denseEntrySchema>;
export type PackedEntry = z.infer<typeof packedEntrySchema>;

/** The quantization a bundle records: weights symmetric int8 per output row; optional activation ranges. */
export const quantizationSchema = z
  .object({
    weights: z.object({ bits: z.literal(8), symmetric: z.literal(true), granularity: z.literal('per-row') }).strict(),
    /** Calibrated input ranges `[min, max]` by Linear name, when the exporter had them. */
    activations: z.record(z.string(), z.tuple([z.number(), z.number()])).optional(),
  })
  .strict();
export type BundleQuantization = z.infer<typeof quantizationSchema>;

/**
 * The JSON header: the family-neutral encoder config the runtime needs (see
 * `encoderConfigSchema`), and from version 2 on how to tokenize text and what the head answers.
 */
export const bundleHeaderSchema = z
  .object({
    format: z.literal('pofa-bundle'),
    version: z.union([z.literal(1), z.literal(2)]),
    config: z.record(z.string(), z.unknown()),
    vocab: z.object({ count: count, data: segmentSchema }).strict().optional(),
    tokenizer: bundleTokenizerSchema.optional(),
    task: bundleTaskSchema.optional(),
    quantization: quantizationSchema.optional(),
    tensors: z.array(tensorEntrySchema).max(100_000),
    metadata: z.record(z.string(), z.string()).optional(),
  })
  .strict()
  .refine((header) => header.version >= 2 || (header.tokenizer === undefined && header.task === undefined), {
    message: 'a version 1 header has no tokenizer or task',
    path: ['version'],
  });
export type BundleHeader = z.infer<typeof bundleHeaderSchema>;
