import type { ActivationName } from '@pofa/core';
import { ATTENTION_MASK_VALUE } from '@pofa/models';
import type { EncoderSource, FloatTensor } from './encoder-source';
import type { OnnxGraphBuilder } from './graph-builder';
import type { Int8Linear } from './int8-linears';
import { OnnxExportError } from './onnx-export-error';
import { ONNX_DATA_TYPES } from './onnx-model';

/** What the ops of an encoder graph share: the graph, the tensors it is built from, and how int8 inputs run. */
export interface EncoderGraphContext {
  graph: OnnxGraphBuilder;
  source: EncoderSource;
  /** The module paths of the int8 layers the graph used. */
  usedInt8: Set<string>;
  /** Quantize the inputs of int8 Linears without an input scale at run time (MatMulInteger). */
  dynamicQuantization: boolean;
}

function requiredFloat(context: EncoderGraphContext, name: string): FloatTensor {
  const tensor = context.source.float(name);
  if (tensor === undefined) {
    throw new OnnxExportError(`No tensor ${name} in ${context.source.origin}`, {
      expected: `${name}, as @pofa/models names the parameters of a ${context.source.structure.family} ${context.source.structure.task} model`,
      received: 'none',
      hint: 'Pass every parameter of the model (model.namedParameters(), exportInt8(model).tensors), with the config of that model',
    });
  }
  return tensor;
}

/**
 * The parameter `name` as an fp32 initializer of the same name (its effective value: masks and
 * weight fake-quantizers applied), added once.
 *
 * @example
 * ```ts
 * const gamma = floatParameter(context, 'embeddings.LayerNorm.weight');
 * ```
 */
export function floatParameter(context: EncoderGraphContext, name: string): string {
  if (context.graph.initializers.some((initializer) => initializer.name === name)) return name;
  const tensor = requiredFloat(context, name);
  return context.graph.initializer(name, 'float', tensor.shape, tensor.data);
}

function transposed<T extends Float32Array | Int8Array>(values: T, rows: number, columns: number): T {
  const out = new (values.constructor as new (length: number) => T)(values.length);
  for (let row = 0; row < rows; row++) for (let column = 0; column < columns; column++) out[column * rows + row] = values[row * columns + column];
  return out;
}

/** A model's int8 weight must be its (effective) fp32 weight within half a quantization step. */
function checkInt8Weight(path: string, int8: Int8Linear, weight: FloatTensor): void {
  const [rows, columns] = int8.shape;
  if (weight.shape[0] !== rows || weight.shape[1] !== columns) {
    throw new OnnxExportError(`The int8 weight of ${path} does not fit the model`, { expected: `[${weight.shape.join(', ')}]`, received: `[${rows}, ${columns}]`, hint: 'Pass the int8 export of this model' });
  }
  const values = weight.data;
  for (let index = 0; index < values.length; index++) {
    const row = int8.scale.length === 1 ? 0 : Math.floor(index / columns);
    const scale = int8.scale[row];
    const error = Math.abs((int8.weight[index] - int8.zeroPoint[row]) * scale - values[index]);
    if (error > scale * 0.5001 + 1e-12) {
      throw new OnnxExportError(`The int8 weight of ${path} is not the model's weight`, {
        expected: `values within half a step (${scale / 2}) of the model's`,
        received: `a difference of ${error} at index ${index}`,
        hint: 'Pass the int8 export (exportInt8, model-int8.safetensors) of this very model',
      });
    }
  }
}

function quantizedWeight(context: EncoderGraphContext, path: string, int8: Int8Linear): string {
  const { graph } = context;
  const perChannel = int8.scale.length === int8.shape[0] && int8.scale.length > 1;
  const dims = perChannel ? [int8.shape[0]] : [];
  const weight = graph.initializer(`${path}.weight`, 'int8', int8.shape, int8.weight);
  const scale = graph.initializer(`${path}.weight_scale`, 'float', dims, perChannel ? int8.scale : Float32Array.of(int8.scale[0]));
  const zeroPoint = graph.initializer(`${path}.weight_zero_point`, 'int8', dims, perChannel ? int8.zeroPoint : Int8Array.of(int8.zeroPoint[0]));
  const dequantized = graph.node('DequantizeLinear', [weight, scale, zeroPoint], { scope: path, ...(perChannel ? { attributes: { axis: { int: 0 } } } : {}) });
  return graph.node('Transpose', [dequantized], { scope: path, attributes: { perm: { ints: [1, 0] } } });
}

function dynamicProduct(context: EncoderGraphContext, x: string, path: string, int8: Int8Linear): string {
  const { graph } = context;
  const [rows, columns] = int8.shape;
  const perChannel = int8.scale.length > 1;
  const dims = perChannel ? [rows] : [];
  // MatMulInteger multiplies [.., in] by [in, out]: the int8 weight is stored transposed, its zero points per output column.
  const weight = graph.initializer(`${path}.weight_t`, 'int8', [columns, rows], transposed(int8.weight, rows, columns));
  const zeroPoint = graph.initializer(`${path}.weight_zero_point`, 'int8', dims, perChannel ? int8.zeroPoint : Int8Array.of(int8.zeroPoint[0]));
  const scale = graph.initializer(`${path}.weight_scale`, 'float', dims, perChannel ? int8.scale : Float32Array.of(int8.scale[0]));
  const [quantized, inputScale, inputZeroPoint] = graph.nodeWithOutputs('DynamicQuantizeLinear', [x], 3, { scope: path });
  const product = graph.node('MatMulInteger', [quantized, weight, inputZeroPoint, zeroPoint], { scope: path });
  const float = graph.node('Cast', [product], { scope: path, attributes: { to: { int: ONNX_DATA_TYPES.float } } });
  return graph.node('Mul', [float, graph.node('Mul', [inputScale, scale], { scope: path })], { scope: path });
}

function int8Product(context: EncoderGraphContext, x: string, path: string, int8: Int8Linear): string {
  const { graph } = context;
  const model = context.source.float(`${path}.weight`);
  if (model !== undefined) checkInt8Weight(path, int8, model);
  context.usedInt8.add(path);
  if (int8.input === undefined && context.dynamicQuantization) return dynamicProduct(context, x, path, int8);
  let input = x;
  if (int8.input !== undefined) {
    const scale = graph.scalar(int8.input.scale);
    const zeroPoint = graph.constant('uint8', [], Uint8Array.of(int8.input.zeroPoint));
    input = graph.node('DequantizeLinear', [graph.node('QuantizeLinear', [x, scale, zeroPoint], { scope: path }), scale, zeroPoint], { scope: path });
  }
  return graph.node('MatMul', [input, quantizedWeight(context, path, int8)], { scope: path });
}

/**
 * `y = x · Wᵀ + b` of the Linear at `path` (`+ b` where the source's Linear has a bias). With an int8
 * entry: the weight stored int8 `[out, in]` with a DequantizeLinear (per row on axis 0, or per
 * tensor), and the input through QuantizeLinear → DequantizeLinear (uint8, the entry's scale and
 * zero point) when the entry has one; without one and with `dynamicQuantization`, the input is
 * quantized at run time (DynamicQuantizeLinear → MatMulInteger with the weight stored `[in, out]`).
 * Otherwise an fp32 weight stored transposed. A Linear that fake-quantizes its input (QAT) without
 * an input scale in its int8 entry throws.
 *
 * @example
 * ```ts
 * const query = linear(context, hidden, 'encoder.layer.0.attention.self.query');
 * ```
 */
export function linear(context: EncoderGraphContext, x: string, path: string): string {
  const { graph, source } = context;
  const int8 = source.int8.get(path);
  if (source.quantizesInput(path) && int8?.input === undefined) {
    throw new OnnxExportError(`${path} fake-quantizes its input, and the int8 tensors give no input scale for it`, {
      expected: `${path}.input_scale and ${path}.input_zero_point in the int8 tensors`,
      received: int8 === undefined ? 'no int8 entry' : 'an int8 weight without input quantization',
      hint: 'Pass int8: exportInt8(model, { activationRanges: installed.activationRanges() }).tensors, or remove the fake quantization',
    });
  }
  let product: string;
  if (int8 !== undefined) product = int8Product(context, x, path, int8);
  else {
    const weight = requiredFloat(context, `${path}.weight`);
    const [rows, columns] = weight.shape;
    product = graph.node('MatMul', [x, graph.initializer(`${path}.weight_t`, 'float', [columns, rows], transposed(weight.data, rows, columns))], { scope: path });
  }
  return !source.hasBias(path) ? product : graph.node('Add', [product, floatParameter(context, `${path}.bias`)], { scope: path });
}

/**
 * LayerNormalization (opset 17) over the last axis with the γ and β at `path` and the encoder's epsilon.
 *
 * @example
 * ```ts
 * const normed = layerNorm(context, sum, 'embeddings.LayerNorm');
 * ```
 */
export function layerNorm(context: EncoderGraphContext, x: string, path: string): string {
  const inputs = [x, floatParameter(context, `${path}.weight`), floatParameter(context, `${path}.bias`)];
  return context.graph.node('LayerNormalization', inputs, { scope: path, attributes: { axis: { int: -1 }, epsilon: { float: context.source.structure.layerNormEps } } });
}

/**
 * An activation of the configs, op for op as `@pofa/core` computes it: exact GELU
 * `0.5 · x · (1 + erf(x / √2))`, the tanh GELU, ReLU or tanh.
 *
 * @example
 * ```ts
 * const activated = activation(context, inner, 'gelu', 'encoder.layer.0.intermediate');
 * ```
 */
export function activation(context: EncoderGraphContext, x: string, name: ActivationName, scope: string): string {
  const { graph } = context;
  const node = (op: string, inputs: string[]) => graph.node(op, inputs, { scope });
  if (name === 'relu') return node('Relu', [x]);
  if (name === 'tanh') return node('Tanh', [x]);
  if (name === 'gelu') return node('Mul', [node('Mul', [x, node('Add', [node('Erf', [node('Mul', [x, graph.scalar(Math.SQRT1_2)])]), graph.scalar(1)])]), graph.scalar(0.5)]);
  const cube = node('Mul', [node('Mul', [x, x]), x]);
  const inner = node('Mul', [node('Add', [x, node('Mul', [cube, graph.scalar(0.044715)])]), graph.scalar(Math.sqrt(2 / Math.PI))]);
  return node('Mul', [node('Mul', [x, node('Add', [node('Tanh', [inner]), graph.scalar(1)])]), graph.scalar(0.5)]);
}

/**
 * The additive attention mask `[batch, 1, 1, sequence]` from the `attention_mask` input, as
 * Hugging Face: `(1 − mask) · float32 lowest`.
 *
 * @example
 * ```ts
 * const additive = additiveMask(context, 'attention_mask');
 * ```
 */
export function additiveMask(context: EncoderGraphContext, mask: string): string {
  const { graph } = context;
  const scope = 'attention_mask';
  const expanded = graph.node('Unsqueeze', [graph.node('Cast', [mask], { scope, attributes: { to: { int: ONNX_DATA_TYPES.float } } }), graph.int64([1, 2])], { scope });
  return graph.node('Mul', [graph.node('Sub', [graph.scalar(1), expanded], { scope }), graph.scalar(ATTENTION_MASK_VALUE)], { scope });
}

/**
 * Multi-head scaled dot-product attention from projected `[batch, sequence, heads · headSize]`
 * query, key and value: `softmax(q·kᵀ / √headSize + mask) · v`, heads merged back.
 *
 * @example
 * ```ts
 * const merged = attention(context, { query, key, value }, additive, 4, 16, 'encoder.layer.0.attention.self');
 * ```
 */
export function attention(context: EncoderGraphContext, projected: { query: string; key: string; value: string }, mask: string, heads: number, headSize: number, scope: string): string {
  const { graph } = context;
  const split = graph.int64([0, 0, heads, headSize]);
  const perHead = (x: string, perm: number[]) => graph.node('Transpose', [graph.node('Reshape', [x, split], { scope })], { scope, attributes: { perm: { ints: perm } } });
  const scores = graph.node('Div', [graph.node('MatMul', [perHead(projected.query, [0, 2, 1, 3]), perHead(projected.key, [0, 2, 3, 1])], { scope }), graph.scalar(Math.sqrt(headSize))], { scope });
  const probs = graph.node('Softmax', [graph.node('Add', [scores, mask], { scope })], { scope, attributes: { axis: { int: -1 } } });
  const merged = graph.node('Transpose', [graph.node('MatMul', [probs, perHead(projected.value, [0, 2, 1, 3])], { scope })], { scope, attributes: { perm: { ints: [0, 2, 1, 3] } } });
  return graph.node('Reshape', [merged, graph.int64([0, 0, heads * headSize])], { scope });
}

/**
 * The first token's vector `[batch, hidden]` of `[batch, sequence, hidden]` (the [CLS] pooling).
 *
 * @example
 * ```ts
 * const cls = firstToken(context, lastHidden, 'pooler');
 * ```
 */
export function firstToken(context: EncoderGraphContext, hidden: string, scope: string): string {
  return context.graph.node('Gather', [hidden, context.graph.int64(0)], { scope, attributes: { axis: { int: 1 } } });
}
