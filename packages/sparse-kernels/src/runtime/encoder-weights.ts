import { isPackedWeight, type Bundle } from '../bundle/bundle-types';
import { EMBEDDING_NAMES, HEAD_NAMES, layerTensorNames, type ParameterPair } from '../bundle/encoder-tensors';
import { BundleError } from '../bundle/bundle-error';
import { concatRows } from '../formats/concat-rows';
import type { PackedWeight } from '../formats/packed-weight';
import type { ActivationQuantization } from '../kernels/types';

/** A Linear layer ready for `Kernels.linear`. */
export interface RuntimeLinear {
  weight: PackedWeight;
  bias: Float32Array;
  /** Calibrated input quantization (int8 weights only), when the bundle has activation ranges. */
  activation?: ActivationQuantization;
}

/** LayerNorm's γ and β. */
export interface RuntimeNorm {
  weight: Float32Array;
  bias: Float32Array;
}

/** One encoder layer. */
export interface RuntimeLayer {
  heads: number;
  query: RuntimeLinear;
  key: RuntimeLinear;
  value: RuntimeLinear;
  /** Query, key and value stacked into one `[3·out, in]` Linear, when their layouts allow it. */
  queryKeyValue?: RuntimeLinear;
  attentionOutput: RuntimeLinear;
  attentionNorm: RuntimeNorm;
  intermediate: RuntimeLinear;
  output: RuntimeLinear;
  outputNorm: RuntimeNorm;
}

/** Every weight of an encoder and its head, by role. */
export interface RuntimeWeights {
  words: Float32Array;
  positions: Float32Array;
  tokenTypes?: Float32Array;
  embeddingNorm: RuntimeNorm;
  layers: RuntimeLayer[];
  pooler?: RuntimeLinear;
  preClassifier?: RuntimeLinear;
  classifier?: RuntimeLinear;
  lmTransform?: RuntimeLinear;
  lmNorm?: RuntimeNorm;
  lmBias?: Float32Array;
  qa?: RuntimeLinear;
}

/** The uint8 quantization of a calibrated `[min, max]` range (widened to include 0). */
export function rangeQuantization([low, high]: [number, number]): ActivationQuantization {
  const min = Math.min(low, 0);
  const max = Math.max(high, 0);
  const scale = max - min > 0 ? (max - min) / 255 : 1;
  return { scale, zeroPoint: Math.max(0, Math.min(255, Math.round(-min / scale))) };
}

/**
 * Query, key and value as one Linear (one kernel call reads and quantizes their shared input
 * once), when their weights stack (see `concatRows`) and they quantize the input alike.
 */
function fusedQueryKeyValue(parts: RuntimeLinear[]): RuntimeLinear | undefined {
  const [query] = parts;
  const sameActivation = parts.every((part) => part.activation?.scale === query.activation?.scale && part.activation?.zeroPoint === query.activation?.zeroPoint);
  const weight = sameActivation ? concatRows(parts.map((part) => part.weight)) : undefined;
  if (weight === undefined) return undefined;
  const bias = new Float32Array(weight.rows);
  let offset = 0;
  for (const part of parts) bias.set(part.bias, offset), (offset += part.bias.length);
  return { weight, bias, ...(query.activation === undefined ? {} : { activation: query.activation }) };
}

const weightsCache = new WeakMap<Bundle, RuntimeWeights>();

/**
 * Arranges a bundle's tensors by role for the forward pass; dense Linear weights become
 * `'dense'` packed weights so one kernel call serves every Linear. Computed once per bundle
 * object, so that runtimes of one bundle share the stacked weights (and what the kernels
 * prepare from them).
 *
 * @example
 * ```ts
 * const weights = runtimeWeights(await readBundle('model.pofa'));
 * weights.layers[0].query.weight.format; // 'csr'
 * ```
 */
export function runtimeWeights(bundle: Bundle): RuntimeWeights {
  let weights = weightsCache.get(bundle);
  if (weights === undefined) weightsCache.set(bundle, (weights = arrangeWeights(bundle)));
  return weights;
}

function arrangeWeights(bundle: Bundle): RuntimeWeights {
  const { config, tensors } = bundle;
  const ranges = bundle.quantization?.activations ?? {};
  const dense = (name: string): Float32Array => {
    const tensor = tensors.get(name);
    if (tensor === undefined || isPackedWeight(tensor)) throw new BundleError(`Tensor "${name}" must be dense`, { expected: 'a dense tensor', received: 'a packed one or none' });
    return tensor.data;
  };
  const linear = (names: ParameterPair): RuntimeLinear => {
    const tensor = tensors.get(names.weight);
    if (tensor === undefined) throw new BundleError(`Tensor "${names.weight}" is missing`, { expected: 'every parameter of the encoder', received: 'none' });
    const weight: PackedWeight = isPackedWeight(tensor) ? tensor : { format: 'dense', rows: tensor.shape[0], cols: tensor.shape[1], dtype: 'float32', values: tensor.data };
    const range = ranges[names.weight.replace(/\.weight$/, '')];
    return { weight, bias: dense(names.bias), ...(range !== undefined && weight.dtype === 'int8' ? { activation: rangeQuantization(range) } : {}) };
  };
  const norm = (names: ParameterPair): RuntimeNorm => ({ weight: dense(names.weight), bias: dense(names.bias) });
  const layers: RuntimeLayer[] = [];
  for (let layer = 0; layer < config.numLayers; layer++) {
    const names = layerTensorNames(config.family, layer);
    const [query, key, value] = [linear(names.query), linear(names.key), linear(names.value)];
    const queryKeyValue = fusedQueryKeyValue([query, key, value]);
    layers.push({
      heads: config.headsPerLayer[layer],
      query,
      key,
      value,
      ...(queryKeyValue === undefined ? {} : { queryKeyValue }),
      attentionOutput: linear(names.attentionOutput),
      attentionNorm: norm(names.attentionNorm),
      intermediate: linear(names.intermediate),
      output: linear(names.output),
      outputNorm: norm(names.outputNorm),
    });
  }
  const weights: RuntimeWeights = {
    words: dense(EMBEDDING_NAMES.words),
    positions: dense(EMBEDDING_NAMES.positions),
    ...(config.family === 'bert' ? { tokenTypes: dense(EMBEDDING_NAMES.tokenTypes) } : {}),
    embeddingNorm: norm(EMBEDDING_NAMES.norm),
    layers,
  };
  const heads = config.family === 'bert' ? HEAD_NAMES.bert : HEAD_NAMES.distilbert;
  if (config.family === 'bert' && config.pooler) weights.pooler = linear(HEAD_NAMES.bert.pooler);
  if (config.task === 'sequence-classification') {
    weights.classifier = linear(heads.classifier);
    if (config.family === 'distilbert') weights.preClassifier = linear(HEAD_NAMES.distilbert.preClassifier);
  }
  if (config.task === 'masked-lm') {
    weights.lmTransform = linear(heads.lmTransform);
    weights.lmNorm = norm(heads.lmNorm);
    weights.lmBias = dense(heads.lmBias);
  }
  if (config.task === 'question-answering') weights.qa = linear(heads.qa);
  return weights;
}
