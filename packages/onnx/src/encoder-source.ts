import { ACTIVATIONS, decodeHalfArray, effectiveValues, parseOptions, type ActivationName, type LayerNorm, type Linear, type RawTensor } from '@pofa/core';
import { layerLinearNames, TASK_NAMES, type BertModel, type DistilBertModel, type EncoderModel, type TaskName } from '@pofa/models';
import { z } from 'zod';
import { int8Linears, type Int8Linear } from './int8-linears';
import { OnnxExportError } from './onnx-export-error';

const positive = z.number().int().positive();

/**
 * The structure of an encoder that {@link buildOnnxModelFromStateDict} builds from a state dict:
 * family, head (`task`), widths, heads per layer (structured pruning may remove some),
 * activation and LayerNorm epsilon. A `.pofa` bundle's `EncoderConfig` (`@pofa/sparse-kernels`)
 * is one; other fields are ignored. `pooler` defaults to whether the state dict has
 * `pooler.dense.weight`.
 *
 * @example
 * ```ts
 * const config = onnxEncoderConfigSchema.parse({ family: 'bert', task: 'base', numLayers: 2, hiddenSize: 32,
 *   numHeads: 4, activation: 'gelu', layerNormEps: 1e-12 });
 * ```
 */
export const onnxEncoderConfigSchema = z
  .object({
    family: z.enum(['bert', 'distilbert']),
    task: z.enum(TASK_NAMES as unknown as [TaskName, ...TaskName[]]),
    numLayers: positive,
    hiddenSize: positive,
    /** Heads of an unpruned layer; the head size is `hiddenSize / numHeads`. */
    numHeads: positive,
    /** Heads each layer keeps; `numHeads` in every layer when absent. */
    headsPerLayer: z.array(positive).readonly().optional(),
    activation: z.enum(Object.keys(ACTIVATIONS) as [ActivationName, ...ActivationName[]]),
    layerNormEps: z.number().positive(),
    pooler: z.boolean().optional(),
  })
  .superRefine((config, context) => {
    const issue = (path: string, message: string) => context.addIssue({ code: z.ZodIssueCode.custom, path: [path], message });
    if (config.hiddenSize % config.numHeads !== 0) issue('numHeads', 'hiddenSize must be divisible by numHeads');
    if (config.headsPerLayer !== undefined && config.headsPerLayer.length !== config.numLayers) issue('headsPerLayer', 'needs one entry per layer');
    if (config.headsPerLayer?.some((heads) => heads > config.numHeads)) issue('headsPerLayer', 'a layer has more heads than numHeads');
  });

/** The input of {@link onnxEncoderConfigSchema}. */
export type OnnxEncoderConfig = z.input<typeof onnxEncoderConfigSchema>;

/** An encoder's structure with every default resolved. */
export interface EncoderStructure {
  family: 'bert' | 'distilbert';
  task: TaskName;
  numLayers: number;
  hiddenSize: number;
  headSize: number;
  headsPerLayer: number[];
  activation: ActivationName;
  layerNormEps: number;
  pooler: boolean;
}

/** An fp32 tensor, row-major. */
export interface FloatTensor {
  shape: readonly number[];
  data: Float32Array;
}

/** What an encoder graph is built from: a pofa model, or a state dict and its config. */
export interface EncoderSource {
  structure: EncoderStructure;
  /** What the tensors come from, for error messages (`the model`, `the state dict`). */
  origin: string;
  /** The shape of a tensor by pofa name, or undefined when there is none. */
  shape(name: string): readonly number[] | undefined;
  /** The fp32 value of a tensor by pofa name (a model's effective value: masks and weight fake-quantizers applied). */
  float(name: string): FloatTensor | undefined;
  /** The int8 Linear layers by module path (empty for an fp32 graph). */
  int8: ReadonlyMap<string, Int8Linear>;
  /** Whether the Linear at `path` fake-quantizes its input (QAT), so that it needs an input scale. */
  quantizesInput(path: string): boolean;
  /** Whether the Linear at `path` adds a bias (every Linear of a Hugging Face BERT or DistilBERT does). */
  hasBias(path: string): boolean;
}

/**
 * The source of a pofa BERT or DistilBERT model: its structure read from its config and its
 * parameter shapes (so structurally pruned models export as they are), its effective weights,
 * and the int8 Linears of `int8` (an int8 export of this model, or `{}`).
 *
 * @example
 * ```ts
 * const source = modelSource(model, exportInt8(model).tensors);
 * source.structure.headsPerLayer; // [12, 12, ...]
 * ```
 */
export function modelSource(model: EncoderModel, int8: Record<string, RawTensor>): EncoderSource {
  const bert = model.family === 'bert';
  const config = bert ? (model as BertModel).config : undefined;
  const distil = bert ? undefined : (model as DistilBertModel).config;
  const hiddenSize = config?.hidden_size ?? distil!.dim;
  const headSize = hiddenSize / (config?.num_attention_heads ?? distil!.n_heads);
  const numLayers = config?.num_hidden_layers ?? distil!.n_layers;
  const modules = new Map(model.namedModules());
  const float = (name: string): FloatTensor | undefined => {
    const parameter = model.getParameter(name);
    return parameter === undefined ? undefined : { shape: parameter.shape, data: effectiveValues(parameter) };
  };
  const rowsOf = (name: string) => model.getParameter(name)?.shape[0] ?? 0;
  return {
    structure: {
      family: model.family,
      task: model.task,
      numLayers,
      hiddenSize,
      headSize,
      headsPerLayer: Array.from({ length: numLayers }, (_, layer) => rowsOf(`${layerLinearNames(model.family, layer).query}.weight`) / headSize),
      activation: (config?.hidden_act ?? distil!.activation) as ActivationName,
      layerNormEps: (modules.get('embeddings.LayerNorm') as LayerNorm).eps,
      pooler: bert && model.getParameter('pooler.dense.weight') !== undefined,
    },
    origin: 'the model',
    shape: (name) => model.getParameter(name)?.shape,
    float,
    int8: int8Linears(int8),
    quantizesInput: (path) => ((modules.get(path) as Linear | undefined)?.inputTransforms.length ?? 0) > 0,
    hasBias: (path) => (modules.get(path) as Linear | undefined)?.bias !== undefined,
  };
}

function floatOf(name: string, tensor: RawTensor): FloatTensor | undefined {
  if (tensor.dtype === 'F32') return { shape: tensor.shape, data: tensor.data as Float32Array };
  if (tensor.dtype === 'F16' || tensor.dtype === 'BF16') return { shape: tensor.shape, data: decodeHalfArray(tensor.data as Uint16Array, tensor.dtype) };
  if (tensor.dtype === 'I8') return undefined;
  throw new OnnxExportError(`The state dict's ${name} is not a float tensor`, { expected: 'F32, F16 or BF16 (or I8 for an int8 Linear weight)', received: tensor.dtype });
}

/**
 * The source of a state dict by pofa tensor names (`model.namedParameters()`, `exportInt8(model).tensors`,
 * a `model-int8.safetensors` or a bundle's dense tensors: `embeddings.word_embeddings.weight`,
 * `encoder.layer.0.attention.self.query.weight`, ...) with its config: F32, F16 or BF16 tensors,
 * and int8 Linears as `exportInt8` writes them (an I8 `<module>.weight` with its scales). Throws a
 * `ConfigError` for a config that does not parse.
 *
 * @example
 * ```ts
 * const source = stateDictSource(bundle.config, (await readSafetensorsRaw('model-int8.safetensors')).tensors);
 * ```
 */
export function stateDictSource(config: OnnxEncoderConfig, tensors: Record<string, RawTensor>): EncoderSource {
  const resolved = parseOptions(onnxEncoderConfigSchema, config, 'encoder config');
  return {
    structure: {
      family: resolved.family,
      task: resolved.task,
      numLayers: resolved.numLayers,
      hiddenSize: resolved.hiddenSize,
      headSize: resolved.hiddenSize / resolved.numHeads,
      headsPerLayer: resolved.headsPerLayer === undefined ? Array(resolved.numLayers).fill(resolved.numHeads) : [...resolved.headsPerLayer],
      activation: resolved.activation,
      layerNormEps: resolved.layerNormEps,
      pooler: resolved.family === 'bert' && (resolved.pooler ?? tensors['pooler.dense.weight'] !== undefined),
    },
    origin: 'the state dict',
    shape: (name) => tensors[name]?.shape,
    float: (name) => (tensors[name] === undefined ? undefined : floatOf(name, tensors[name])),
    int8: int8Linears(tensors),
    quantizesInput: () => false,
    hasBias: () => true,
  };
}
