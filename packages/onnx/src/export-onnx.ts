import { describeValue, writeFileAtomic, type RawTensor } from '@pofa/core';
import { TASK_NAMES, type EncoderModel } from '@pofa/models';
import packageJson from '../package.json';
import { bertGraph, distilBertGraph } from './encoder-graph';
import type { EncoderGraphContext } from './encoder-ops';
import { modelSource, stateDictSource, type EncoderSource, type OnnxEncoderConfig } from './encoder-source';
import { OnnxGraphBuilder } from './graph-builder';
import { OnnxExportError } from './onnx-export-error';
import { encodeOnnxModel } from './onnx-model';

/**
 * The default-domain opset of the graphs pofa writes (LayerNormalization needs 17).
 *
 * @example
 * ```ts
 * ONNX_OPSET; // 17
 * ```
 */
export const ONNX_OPSET = 17;

/** Options of {@link buildOnnxModel}, {@link exportOnnx} and {@link buildOnnxModelFromStateDict}. */
export interface OnnxExportOptions {
  /**
   * An int8 export of this model (`exportInt8(model, ...).tensors`, or a `model-int8.safetensors`
   * read with `readSafetensorsRaw`): each of its I8 Linear weights is stored int8 behind a
   * DequantizeLinear (per row or per tensor, as exported), and each input with an
   * `input_scale` goes through QuantizeLinear → DequantizeLinear (uint8) — a QDQ graph that
   * computes what the fake-quantized tfjs model computes. Without it: every weight fp32.
   */
  int8?: Record<string, RawTensor>;
  /**
   * Quantize the inputs of int8 Linears that have no `input_scale` at run time:
   * DynamicQuantizeLinear → MatMulInteger (uint8 × int8, the weight stored `[in, out]`), as
   * onnxruntime's `quantize_dynamic` writes (its fast int8 path on CPU). Without it, those int8
   * weights are dequantized and multiplied in float.
   */
  dynamicQuantization?: boolean;
  /** Also write the model to this file (atomically). */
  out?: string;
  /** Extra `metadata_props` of the model. */
  metadata?: Record<string, string>;
}

function checkModel(model: unknown): asserts model is EncoderModel {
  const candidate = model as Partial<EncoderModel> | null;
  const family = typeof candidate === 'object' && candidate !== null ? candidate.family : undefined;
  if ((family !== 'bert' && family !== 'distilbert') || typeof candidate?.config !== 'object' || typeof candidate.getParameter !== 'function' || typeof candidate.namedModules !== 'function') {
    throw new OnnxExportError('Cannot export this model to ONNX', {
      expected: 'a BertModel or DistilBertModel of @pofa/models (createModel, loadPretrained)',
      received: family === undefined ? describeValue(model) : `a model of family ${describeValue(family)}`,
      hint: 'pofa exports BERT and DistilBERT encoders with their heads',
    });
  }
  if (!TASK_NAMES.includes(candidate.task as never)) {
    throw new OnnxExportError('Cannot export this head to ONNX', { expected: `a task of ${TASK_NAMES.join(', ')}`, received: describeValue(candidate.task) });
  }
}

function buildFromSource(source: EncoderSource, options: Omit<OnnxExportOptions, 'out' | 'int8'>): Uint8Array {
  const graph = new OnnxGraphBuilder();
  const context: EncoderGraphContext = { graph, source, usedInt8: new Set(), dynamicQuantization: options.dynamicQuantization === true };
  const { family, task } = source.structure;
  const ends = family === 'bert' ? bertGraph(context) : distilBertGraph(context);
  const unused = [...source.int8.keys()].filter((path) => !context.usedInt8.has(path));
  if (unused.length > 0) {
    throw new OnnxExportError('The int8 tensors name Linear layers the model does not have', {
      expected: `int8 weights of the Linear layers of ${source.origin}`,
      received: unused.slice(0, 4).join(', ') + (unused.length > 4 ? ', ...' : ''),
      hint: 'Pass the int8 export of this very model',
    });
  }
  for (const output of ends.outputs) graph.node('Identity', [output.value], { output: output.name });
  const linears = [...source.int8.values()];
  const quantized = linears.length === 0 ? 'fp32' : linears.some((linear) => linear.input !== undefined) ? 'qdq-int8' : context.dynamicQuantization ? 'dynamic-int8' : 'int8-weights';
  return encodeOnnxModel({
    opset: ONNX_OPSET,
    producerName: 'pofa',
    producerVersion: packageJson.version,
    docString: `A ${family} ${task} model exported by pofa (${quantized})`,
    metadata: { 'pofa.family': family, 'pofa.task': task, 'pofa.quantization': quantized, ...options.metadata },
    graph: {
      name: `pofa-${family}-${task}`,
      nodes: graph.nodes,
      initializers: graph.initializers,
      inputs: ends.inputs,
      outputs: ends.outputs.map(({ value: _, ...info }) => info),
    },
  });
}

/**
 * The ONNX model (opset {@link ONNX_OPSET}, bytes of a `ModelProto`) of a pofa BERT or DistilBERT
 * model with its head, in eval mode: inputs `input_ids`, `attention_mask` (and `token_type_ids`
 * for BERT), int64 `[batch, sequence]`; outputs `logits`, or `start_logits` and `end_logits`
 * (span QA), or `last_hidden_state` (base model). Exact GELU, LayerNormalization, the additive
 * mask `(1 − mask) · float32 lowest` as Hugging Face. fp32 weights (masks and weight
 * fake-quantizers applied), or a QDQ int8 graph with `int8` (dynamically quantized inputs with
 * `dynamicQuantization`). onnxruntime gives the tfjs logits within float rounding.
 * `pofa.quantization` in the metadata says which: `fp32`, `qdq-int8`, `int8-weights` or
 * `dynamic-int8`. Throws an `OnnxExportError` for another kind of model, for fake-quantized
 * inputs without `int8`, and for int8 tensors that are not this model's.
 *
 * @example
 * ```ts
 * const fp32 = buildOnnxModel(model);
 * const qdq = buildOnnxModel(model, { int8: exportInt8(model, { activationRanges: installed.activationRanges() }).tensors });
 * const session = await InferenceSession.create(qdq); // onnxruntime-node
 * ```
 */
export function buildOnnxModel(model: EncoderModel, options: Omit<OnnxExportOptions, 'out'> = {}): Uint8Array {
  checkModel(model);
  const { int8, ...rest } = options;
  return buildFromSource(modelSource(model, int8 ?? {}), rest);
}

/**
 * {@link buildOnnxModel} without a tfjs model: the graph of the encoder that `config` describes,
 * from a state dict by pofa tensor names (`model.namedParameters()` names: `embeddings.…`,
 * `encoder.layer.N.…`, `classifier.…`, without `bert.`), such as the tensors of
 * `exportInt8(model)` or of a `model-int8.safetensors`, or random weights of a benchmark. F32,
 * F16 and BF16 tensors are stored fp32; each int8 Linear (an I8 `<module>.weight` with its
 * `weight_scale` / `weight_zero_point`, and `input_scale` / `input_zero_point` when present) is
 * stored int8 as with `int8` of {@link buildOnnxModel}. Throws a `ConfigError` for a config that
 * does not parse, and an `OnnxExportError` for a tensor the graph needs that the state dict lacks.
 *
 * @example
 * ```ts
 * const config = { family: 'bert', task: 'base', numLayers: 12, hiddenSize: 768, numHeads: 12, activation: 'gelu', layerNormEps: 1e-12 } as const;
 * const bytes = buildOnnxModelFromStateDict(config, (await readSafetensorsRaw('model-int8.safetensors')).tensors, { dynamicQuantization: true });
 * ```
 */
export function buildOnnxModelFromStateDict(config: OnnxEncoderConfig, stateDict: Record<string, RawTensor>, options: Omit<OnnxExportOptions, 'out' | 'int8'> = {}): Uint8Array {
  return buildFromSource(stateDictSource(config, stateDict), options);
}

/**
 * {@link buildOnnxModel}, written to `options.out` (atomically: a temporary file, then a rename)
 * when given; returns the bytes.
 *
 * @example
 * ```ts
 * await exportOnnx(model, { out: 'model.onnx' });
 * await exportOnnx(model, { out: 'model-int8.onnx', int8: (await readSafetensorsRaw('run/quantize/model-int8.safetensors')).tensors });
 * ```
 */
export async function exportOnnx(model: EncoderModel, options: OnnxExportOptions = {}): Promise<Uint8Array> {
  const { out, ...rest } = options;
  const bytes = buildOnnxModel(model, rest);
  if (out !== undefined) await writeFileAtomic(out, bytes);
  return bytes;
}
