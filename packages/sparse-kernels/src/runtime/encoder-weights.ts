import { isPackedWeight, type Bundle } from '../bundle/bundle-types';
import { EMBEDDING_NAMES, HEAD_NAMES, layerTensorNames, type ParameterPair } from '../bundle/encoder-tensors';
import { BundleError } from '../bundle/bundle-error';
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
 * Arranges a bundle's tensors by role for the forward pass; dense Linear weights become
 * `'dense'` packed weights so one kernel call serves every Linear.
 *
 * @example
 * ```ts
 * const weights = runtimeWeights(await readBundle('model.pofa'));
 * weights.layers[0].query.weight.format; // 'csr'
 * ```
 */
export function runtimeWeights(bundle: Bundle): RuntimeWeights {
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
    layers.push({
      heads: config.headsPerLayer[layer],
      query: linear(names.query),
      key: linear(names.key),
      value: linear(names.value),
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
