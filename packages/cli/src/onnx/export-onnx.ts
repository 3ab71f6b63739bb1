import { describeValue, writeFileAtomic, type RawTensor } from '@pofa/core';
import { TASK_NAMES, type BertModel, type DistilBertModel, type EncoderModel } from '@pofa/models';
import { CLI_VERSION } from '../cli/run-cli';
import { bertGraph, distilBertGraph } from './encoder-graph';
import type { EncoderGraphContext } from './encoder-ops';
import { OnnxGraphBuilder } from './graph-builder';
import { int8Linears } from './int8-linears';
import { OnnxExportError } from './onnx-export-error';
import { encodeOnnxModel } from './onnx-proto';

/**
 * The default-domain opset of the graphs pofa writes (LayerNormalization needs 17).
 *
 * @example
 * ```ts
 * ONNX_OPSET; // 17
 * ```
 */
export const ONNX_OPSET = 17;

/** Options of {@link buildOnnxModel} and {@link exportOnnx}. */
export interface OnnxExportOptions {
  /**
   * An int8 export of this model (`exportInt8(model, ...).tensors`, or a `model-int8.safetensors`
   * read with `readSafetensorsRaw`): each of its I8 Linear weights is stored int8 behind a
   * DequantizeLinear (per row or per tensor, as exported), and each input with an
   * `input_scale` goes through QuantizeLinear → DequantizeLinear (uint8) — a QDQ graph that
   * computes what the fake-quantized tfjs model computes. Without it: every weight fp32.
   */
  int8?: Record<string, RawTensor>;
  /** Also write the model to this file (atomically). */
  out?: string;
  /** Extra `metadata_props` of the model. */
  metadata?: Record<string, string>;
}

function checkModel(model: unknown): asserts model is EncoderModel {
  const candidate = model as Partial<EncoderModel> | null;
  const family = typeof candidate === 'object' && candidate !== null ? candidate.family : undefined;
  if ((family !== 'bert' && family !== 'distilbert') || typeof candidate?.config !== 'object' || typeof candidate.getParameter !== 'function') {
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

/**
 * The ONNX model (opset {@link ONNX_OPSET}, bytes of a `ModelProto`) of a pofa BERT or DistilBERT
 * model with its head, in eval mode: inputs `input_ids`, `attention_mask` (and `token_type_ids`
 * for BERT), int64 `[batch, sequence]`; outputs `logits`, or `start_logits` and `end_logits`
 * (span QA), or `last_hidden_state` (base model). Exact GELU, LayerNormalization, the additive
 * mask `(1 − mask) · float32 lowest` as Hugging Face. fp32 weights (masks and weight
 * fake-quantizers applied), or a QDQ int8 graph with `int8`. onnxruntime gives the tfjs logits
 * within float rounding. Throws an `OnnxExportError` for another kind of model, for fake-quantized
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
  const graph = new OnnxGraphBuilder();
  const int8 = int8Linears(options.int8 ?? {});
  const context: EncoderGraphContext = { graph, model, int8, usedInt8: new Set() };
  const ends = model.family === 'bert' ? bertGraph(context, model as BertModel) : distilBertGraph(context, model as DistilBertModel);
  const unused = [...int8.keys()].filter((path) => !context.usedInt8.has(path));
  if (unused.length > 0) {
    throw new OnnxExportError('The int8 tensors name Linear layers the model does not have', {
      expected: 'int8 weights of this model\'s Linear layers',
      received: unused.slice(0, 4).join(', ') + (unused.length > 4 ? ', ...' : ''),
      hint: 'Pass the int8 export of this very model',
    });
  }
  for (const output of ends.outputs) graph.node('Identity', [output.value], { output: output.name });
  const quantized = int8.size === 0 ? 'fp32' : [...int8.values()].some((linear) => linear.input !== undefined) ? 'qdq-int8' : 'int8-weights';
  return encodeOnnxModel({
    opset: ONNX_OPSET,
    producerName: 'pofa',
    producerVersion: CLI_VERSION,
    docString: `A ${model.family} ${model.task} model exported by pofa (${quantized})`,
    metadata: { 'pofa.family': model.family, 'pofa.task': model.task, 'pofa.quantization': quantized, ...options.metadata },
    graph: {
      name: `pofa-${model.family}-${model.task}`,
      nodes: graph.nodes,
      initializers: graph.initializers,
      inputs: ends.inputs,
      outputs: ends.outputs.map(({ value: _, ...info }) => info),
    },
  });
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
