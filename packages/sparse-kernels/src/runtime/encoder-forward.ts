import type { EncoderConfig } from '../bundle/encoder-config';
import type { Kernels } from '../kernels/types';
import type { RuntimeLayer, RuntimeLinear, RuntimeNorm, RuntimeWeights } from './encoder-weights';
import type { CheckedEncoderInputs } from './runtime-inputs';

/** What one forward pass returns (row-major `Float32Array`s). */
export interface EncoderOutputs {
  /** Last hidden states `[batch, seq, hidden]`. */
  hidden: Float32Array;
  /** Head output: `[batch, numLabels]` (classification), `[batch, seq, vocab]` (masked LM), `[batch, seq, 2]` (span QA). */
  logits?: Float32Array;
  /** BERT's pooler output `[batch, hidden]`, when the model has a pooler. */
  pooled?: Float32Array;
  batch: number;
  seq: number;
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** Applies a non-erf activation in place (the erf GELU is fused into the kernel). */
function activateInPlace(x: Float32Array, activation: EncoderConfig['activation']): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (activation === 'relu') x[i] = v > 0 ? v : 0;
    else if (activation === 'tanh') x[i] = Math.tanh(v);
    else x[i] = 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v)));
  }
}

/**
 * Intermediate arrays of the forward pass, kept between runs and reused by name while their size
 * stays the same, so that a run does not allocate (and the garbage collector does not reclaim)
 * tens of megabytes of activations. Results handed to the caller are never taken from it.
 */
export interface ForwardWorkspace {
  /** The array named `name` with `length` values (contents unspecified). */
  get(name: string, length: number): Float32Array;
}

/**
 * An empty {@link ForwardWorkspace}.
 *
 * @example
 * ```ts
 * const workspace = createForwardWorkspace();
 * workspace.get('query', 128 * 768) === workspace.get('query', 128 * 768); // true
 * ```
 */
export function createForwardWorkspace(): ForwardWorkspace {
  const arrays = new Map<string, Float32Array>();
  return {
    get(name, length) {
      let array = arrays.get(name);
      if (array === undefined || array.length !== length) arrays.set(name, (array = new Float32Array(length)));
      return array;
    },
  };
}

function run(kernels: Kernels, linear: RuntimeLinear, input: Float32Array, tokens: number, gelu = false, out?: Float32Array): Float32Array {
  return kernels.linear(input, tokens, linear.weight, linear.bias, {
    gelu,
    ...(linear.activation === undefined ? {} : { activation: linear.activation }),
    ...(out === undefined ? {} : { out }),
  });
}

function activatedLinear(
  kernels: Kernels,
  linear: RuntimeLinear,
  input: Float32Array,
  tokens: number,
  activation: EncoderConfig['activation'],
  out?: Float32Array,
): Float32Array {
  const result = run(kernels, linear, input, tokens, activation === 'gelu', out);
  if (activation !== 'gelu') activateInPlace(result, activation);
  return result;
}

/** The layer's FFN: one `kernels.feedForward` call for the erf GELU when the kernels have it, else two Linears. */
function feedForward(
  kernels: Kernels,
  layer: RuntimeLayer,
  input: Float32Array,
  tokens: number,
  activation: EncoderConfig['activation'],
  workspace: ForwardWorkspace,
): Float32Array {
  const out = workspace.get('output', tokens * layer.output.weight.rows);
  const { intermediate, output } = layer;
  if (activation === 'gelu' && kernels.feedForward !== undefined) {
    return kernels.feedForward(input, tokens, intermediate.weight, intermediate.bias, output.weight, output.bias, {
      gelu: true,
      activations: [intermediate.activation, output.activation],
      out,
    });
  }
  const inner = activatedLinear(kernels, intermediate, input, tokens, activation, workspace.get('inner', tokens * intermediate.weight.rows));
  return run(kernels, output, inner, tokens, false, out);
}

function normalize(kernels: Kernels, x: Float32Array, tokens: number, width: number, norm: RuntimeNorm, eps: number, out?: Float32Array): Float32Array {
  return kernels.layerNorm(x, tokens, width, norm.weight, norm.bias, eps, out);
}

function embed(inputs: CheckedEncoderInputs, weights: RuntimeWeights, width: number, out: Float32Array): Float32Array {
  const { batch, seq, inputIds, tokenTypeIds } = inputs;
  for (let b = 0; b < batch; b++) {
    for (let s = 0; s < seq; s++) {
      const token = b * seq + s;
      const word = inputIds[token] * width;
      const position = s * width;
      const type = tokenTypeIds[token] * width;
      for (let j = 0; j < width; j++) {
        let sum = weights.words[word + j] + weights.positions[position + j];
        if (weights.tokenTypes !== undefined) sum += weights.tokenTypes[type + j];
        out[token * width + j] = sum;
      }
    }
  }
  return out;
}

function firstTokens(hidden: Float32Array, batch: number, seq: number, width: number): Float32Array {
  const out = new Float32Array(batch * width);
  for (let b = 0; b < batch; b++) out.set(hidden.subarray(b * seq * width, b * seq * width + width), b * width);
  return out;
}

/**
 * The post-LN BERT / DistilBERT encoder forward (as `@pofa/models` runs it in eval mode) on
 * `kernels`: embeddings + LayerNorm; per layer Q, K, V, attention, output projection +
 * residual + LayerNorm, FFN (activation fused for erf GELU) + residual + LayerNorm; then the
 * head of the config's task. Intermediate arrays come from `workspace` (reused across runs); the
 * returned arrays are fresh.
 *
 * @example
 * ```ts
 * const outputs = encoderForward(kernels, config, weights, checkEncoderInputs({ inputIds: [[101, 102]] }, config), createForwardWorkspace());
 * ```
 */
export function encoderForward(
  kernels: Kernels,
  config: EncoderConfig,
  weights: RuntimeWeights,
  inputs: CheckedEncoderInputs,
  workspace: ForwardWorkspace,
): EncoderOutputs {
  const { batch, seq, mask } = inputs;
  const width = config.hiddenSize;
  const tokens = batch * seq;
  const size = tokens * width;
  const headDim = width / config.numHeads;
  const layers = weights.layers;
  const fresh = (last: boolean, name: string): Float32Array => (last ? new Float32Array(size) : workspace.get(name, size));
  let hidden = normalize(kernels, embed(inputs, weights, width, workspace.get('embedded', size)), tokens, width, weights.embeddingNorm, config.layerNormEps,
    fresh(layers.length === 0, 'hidden'));
  layers.forEach((layer, index) => {
    const attentionWidth = layer.heads * headDim;
    const attentionSize = tokens * attentionWidth;
    const options = { batch, seq, heads: layer.heads, headDim, mask, out: workspace.get('context', attentionSize) };
    let context: Float32Array;
    if (layer.queryKeyValue !== undefined) {
      const qkv = run(kernels, layer.queryKeyValue, hidden, tokens, false, workspace.get('queryKeyValue', 3 * attentionSize));
      const [q, k, v] = [0, 1, 2].map((part) => qkv.subarray(part * attentionWidth));
      context = kernels.attention(q, k, v, { ...options, stride: 3 * attentionWidth });
    } else {
      const q = run(kernels, layer.query, hidden, tokens, false, workspace.get('query', attentionSize));
      const k = run(kernels, layer.key, hidden, tokens, false, workspace.get('key', attentionSize));
      const v = run(kernels, layer.value, hidden, tokens, false, workspace.get('value', attentionSize));
      context = kernels.attention(q, k, v, options);
    }
    const attended = kernels.addInPlace(run(kernels, layer.attentionOutput, context, tokens, false, workspace.get('attended', size)), hidden);
    const normed = normalize(kernels, attended, tokens, width, layer.attentionNorm, config.layerNormEps, workspace.get('normed', size));
    const output = kernels.addInPlace(feedForward(kernels, layer, normed, tokens, config.activation, workspace), normed);
    hidden = normalize(kernels, output, tokens, width, layer.outputNorm, config.layerNormEps, fresh(index === layers.length - 1, 'hidden'));
  });
  const outputs: EncoderOutputs = { hidden, batch, seq };
  if (weights.pooler !== undefined) {
    outputs.pooled = run(kernels, weights.pooler, firstTokens(hidden, batch, seq, width), batch);
    for (let i = 0; i < outputs.pooled.length; i++) outputs.pooled[i] = Math.tanh(outputs.pooled[i]);
  }
  if (weights.classifier !== undefined) {
    let pooled = outputs.pooled;
    if (weights.preClassifier !== undefined) pooled = activatedLinear(kernels, weights.preClassifier, firstTokens(hidden, batch, seq, width), batch, 'relu');
    outputs.logits = run(kernels, weights.classifier, pooled as Float32Array, batch);
  }
  if (weights.lmTransform !== undefined && weights.lmNorm !== undefined && weights.lmBias !== undefined) {
    const transformed = activatedLinear(kernels, weights.lmTransform, hidden, tokens, config.activation);
    const normed = normalize(kernels, transformed, tokens, width, weights.lmNorm, config.layerNormEps);
    outputs.logits = kernels.gemm(normed, tokens, width, weights.words, config.vocabSize, weights.lmBias);
  }
  if (weights.qa !== undefined) outputs.logits = run(kernels, weights.qa, hidden, tokens);
  return outputs;
}
