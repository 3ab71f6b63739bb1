import type { EncoderConfig } from '../bundle/encoder-config';
import type { Kernels } from '../kernels/types';
import type { RuntimeLinear, RuntimeNorm, RuntimeWeights } from './encoder-weights';
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

function run(kernels: Kernels, linear: RuntimeLinear, input: Float32Array, tokens: number, gelu = false): Float32Array {
  return kernels.linear(input, tokens, linear.weight, linear.bias, { gelu, ...(linear.activation === undefined ? {} : { activation: linear.activation }) });
}

function activatedLinear(kernels: Kernels, linear: RuntimeLinear, input: Float32Array, tokens: number, activation: EncoderConfig['activation']): Float32Array {
  const out = run(kernels, linear, input, tokens, activation === 'gelu');
  if (activation !== 'gelu') activateInPlace(out, activation);
  return out;
}

function normalize(kernels: Kernels, x: Float32Array, tokens: number, width: number, norm: RuntimeNorm, eps: number): Float32Array {
  return kernels.layerNorm(x, tokens, width, norm.weight, norm.bias, eps);
}

function embed(inputs: CheckedEncoderInputs, weights: RuntimeWeights, width: number): Float32Array {
  const { batch, seq, inputIds, tokenTypeIds } = inputs;
  const out = new Float32Array(batch * seq * width);
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
 * head of the config's task.
 *
 * @example
 * ```ts
 * const outputs = encoderForward(kernels, config, weights, checkEncoderInputs({ inputIds: [[101, 102]] }, config));
 * ```
 */
export function encoderForward(kernels: Kernels, config: EncoderConfig, weights: RuntimeWeights, inputs: CheckedEncoderInputs): EncoderOutputs {
  const { batch, seq, mask } = inputs;
  const width = config.hiddenSize;
  const tokens = batch * seq;
  const headDim = width / config.numHeads;
  let hidden = normalize(kernels, embed(inputs, weights, width), tokens, width, weights.embeddingNorm, config.layerNormEps);
  for (const layer of weights.layers) {
    const q = run(kernels, layer.query, hidden, tokens);
    const k = run(kernels, layer.key, hidden, tokens);
    const v = run(kernels, layer.value, hidden, tokens);
    const context = kernels.attention(q, k, v, { batch, seq, heads: layer.heads, headDim, mask });
    const attended = kernels.addInPlace(run(kernels, layer.attentionOutput, context, tokens), hidden);
    const normed = normalize(kernels, attended, tokens, width, layer.attentionNorm, config.layerNormEps);
    const inner = activatedLinear(kernels, layer.intermediate, normed, tokens, config.activation);
    const output = kernels.addInPlace(run(kernels, layer.output, inner, tokens), normed);
    hidden = normalize(kernels, output, tokens, width, layer.outputNorm, config.layerNormEps);
  }
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
