import { ConfigError, type RawTensor } from '@pofa/core';
import { buildOnnxModelFromStateDict } from '@pofa/onnx';
import { INT8_SUFFIXES } from '@pofa/quant';
import { isPackedWeight, unpackWeight, type Bundle, type EncoderInputs } from '@pofa/sparse-kernels';
import type { InferenceSession, Tensor } from 'onnxruntime-node';

/** The `onnxruntime-node` module, loaded on demand (an optional peer dependency of `@pofa/cli`). */
export type OnnxRuntime = typeof import('onnxruntime-node');

/**
 * Loads `onnxruntime-node`, or throws a `ConfigError` saying how to install it (or to pass `--no-ort`).
 *
 * @example
 * ```ts
 * const ort = await loadOnnxRuntime();
 * ort.env.versions.common; // '1.23.2'
 * ```
 */
export async function loadOnnxRuntime(): Promise<OnnxRuntime> {
  try {
    const loaded = (await import('onnxruntime-node')) as OnnxRuntime & { default?: OnnxRuntime };
    return loaded.InferenceSession === undefined && loaded.default !== undefined ? loaded.default : loaded;
  } catch (error) {
    throw new ConfigError('pofa bench compares with onnxruntime-node, which does not load', {
      expected: 'onnxruntime-node 1.23 installed next to @pofa/cli',
      received: String((error as Error).message ?? error).split('\n')[0],
      hint: 'Run npm install onnxruntime-node@1.23.2, or pass --no-ort to compare with tfjs only',
    });
  }
}

/**
 * The session options of every onnxruntime model `pofa bench` times: the CPU provider, `threads`
 * intra-op threads (the pofa runtime's count), one inter-op thread, sequential execution and every
 * graph optimization.
 *
 * @example
 * ```ts
 * ortSessionOptions(2).intraOpNumThreads; // 2
 * ```
 */
export function ortSessionOptions(threads: number): InferenceSession.SessionOptions {
  return { executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' };
}

/**
 * A bundle's weights as a state dict for `buildOnnxModelFromStateDict` (pofa tensor names, as the
 * bundle stores them): every packed weight as a dense F32 matrix (int8 ones dequantized), or, with
 * `int8`, each int8 packed weight as the I8 matrix of the same integers with its per-row
 * `weight_scale` and zero `weight_zero_point` (what `exportInt8` writes), so that onnxruntime runs
 * exactly the bundle's int8 weights. Dense fp32 arrays are shared with the bundle, not copied.
 *
 * @example
 * ```ts
 * const bytes = buildOnnxModelFromStateDict(bundle.config, bundleStateDict(bundle, { int8: true }), { dynamicQuantization: true });
 * ```
 */
export function bundleStateDict(bundle: Bundle, options: { int8: boolean }): Record<string, RawTensor> {
  const tensors: Record<string, RawTensor> = {};
  for (const [name, tensor] of bundle.tensors) {
    if (!isPackedWeight(tensor)) {
      tensors[name] = { dtype: 'F32', shape: [...tensor.shape], data: tensor.data };
      continue;
    }
    const shape = [tensor.rows, tensor.cols];
    if (options.int8 && tensor.dtype === 'int8') {
      // The integers themselves: the weight unpacked with unit scales (q × 1 is exact).
      const integers = unpackWeight({ ...tensor, scales: new Float32Array(tensor.rows).fill(1) });
      const module = name.slice(0, -INT8_SUFFIXES.weight.length);
      tensors[name] = { dtype: 'I8', shape, data: Int8Array.from(integers) };
      tensors[`${module}${INT8_SUFFIXES.weightScale}`] = { dtype: 'F32', shape: [tensor.rows], data: tensor.scales as Float32Array };
      tensors[`${module}${INT8_SUFFIXES.weightZeroPoint}`] = { dtype: 'I32', shape: [tensor.rows], data: new Int32Array(tensor.rows) };
    } else {
      const dense = tensor.format === 'dense' && tensor.dtype === 'float32';
      tensors[name] = { dtype: 'F32', shape, data: dense ? (tensor.values as Float32Array) : unpackWeight(tensor) };
    }
  }
  return tensors;
}

/**
 * An onnxruntime session of a bundle's model, exported by `@pofa/onnx`: fp32 (int8 weights
 * dequantized), or `int8`: the bundle's int8 weights with dynamically quantized inputs
 * (DynamicQuantizeLinear → MatMulInteger, onnxruntime's `quantize_dynamic` graph).
 *
 * @example
 * ```ts
 * const session = await createOrtSession(ort, bundle, { int8: false, threads: 2 });
 * ```
 */
export async function createOrtSession(ort: OnnxRuntime, bundle: Bundle, options: { int8: boolean; threads: number }): Promise<InferenceSession> {
  const bytes = buildOnnxModelFromStateDict(bundle.config, bundleStateDict(bundle, { int8: options.int8 }), { dynamicQuantization: options.int8 });
  return ort.InferenceSession.create(bytes, ortSessionOptions(options.threads));
}

function int64(data: ArrayLike<number>, shape: readonly [number, number], ort: OnnxRuntime): Tensor {
  return new ort.Tensor('int64', BigInt64Array.from(Array.from(data), BigInt), [...shape]);
}

/**
 * The onnxruntime feeds of a batch made by `benchInputs`: int64 `input_ids`, `attention_mask`
 * and, for BERT, zero `token_type_ids`.
 *
 * @example
 * ```ts
 * const feeds = ortFeeds(ort, benchInputs(30522, 8, 128), 'bert');
 * ```
 */
export function ortFeeds(ort: OnnxRuntime, inputs: EncoderInputs & { inputIds: { data: Int32Array; shape: [number, number] } }, family: 'bert' | 'distilbert'): Record<string, Tensor> {
  const { data, shape } = inputs.inputIds;
  const mask = inputs.attentionMask as { data: ArrayLike<number> } | undefined;
  const feeds: Record<string, Tensor> = {
    input_ids: int64(data, shape, ort),
    attention_mask: int64(mask?.data ?? new Int32Array(data.length).fill(1), shape, ort),
  };
  if (family === 'bert') feeds.token_type_ids = int64(new Int32Array(data.length), shape, ort);
  return feeds;
}

/**
 * `start[i], end[i]` pairs: span QA logits in the pofa runtime's `[batch, seq, 2]` layout.
 *
 * @example
 * ```ts
 * interleave(new Float32Array([1, 2]), new Float32Array([3, 4])); // [1, 3, 2, 4]
 * ```
 */
export function interleave(start: ArrayLike<number>, end: ArrayLike<number>): Float32Array {
  const out = new Float32Array(start.length * 2);
  for (let i = 0; i < start.length; i++) {
    out[2 * i] = start[i];
    out[2 * i + 1] = end[i];
  }
  return out;
}

/**
 * The head's output of an onnxruntime run in the pofa runtime's layout: `logits`, span QA logits
 * interleaved, or `last_hidden_state` for a base model.
 *
 * @example
 * ```ts
 * const output = ortHeadOutput(await session.run(feeds)); // compares with runtime.run(inputs).logits
 * ```
 */
export function ortHeadOutput(outputs: InferenceSession.OnnxValueMapType): Float32Array {
  const values = (name: string): Float32Array | undefined => (outputs[name] === undefined ? undefined : Float32Array.from(outputs[name].data as Float32Array));
  const start = values('start_logits');
  const end = values('end_logits');
  if (start !== undefined && end !== undefined) return interleave(start, end);
  const output = values('logits') ?? values('last_hidden_state');
  if (output === undefined) throw new ConfigError('The onnxruntime model has no head output', { expected: 'logits, start_logits/end_logits or last_hidden_state', received: Object.keys(outputs).join(', ') });
  return output;
}
