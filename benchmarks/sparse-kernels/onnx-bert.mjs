// Builds an ONNX graph of a post-LN BERT encoder (embeddings + layers, last hidden state as
// output) from dense weights named as @pofa/models names them. `int8: true` writes each
// encoder Linear as onnxruntime's dynamic quantization does (DynamicQuantizeLinear +
// MatMulInteger + Cast + Mul, weights int8 symmetric per output channel).
import { DATA_TYPE, modelProto, nodeProto, tensorProto, valueInfoProto } from './onnx-proto.mjs';

function transpose(values, rows, cols) {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
  return out;
}

function roundHalfEven(x) {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Symmetric per-row int8 of an [out, in] weight, transposed to [in, out] for MatMulInteger. */
function quantizeColumns(values, rows, cols) {
  const scales = new Float32Array(rows);
  const q = new Int8Array(values.length);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let c = 0; c < cols; c++) max = Math.max(max, Math.abs(values[r * cols + c]));
    const scale = max === 0 ? 1 : Math.fround(max / 127);
    scales[r] = scale;
    for (let c = 0; c < cols; c++) q[c * rows + r] = Math.max(-127, Math.min(127, roundHalfEven(Math.fround(values[r * cols + c] / scale))));
  }
  return { q, scales };
}

/**
 * @param {object} config the encoder config of the benchmark (family 'bert').
 * @param {Map<string, {shape: number[], data: Float32Array}>} tensors dense weights by name.
 * @param {{ int8?: boolean }} options
 * @returns {Uint8Array} the ONNX model bytes.
 */
export function bertOnnx(config, tensors, { int8 = false } = {}) {
  const nodes = [];
  const initializers = [];
  const hidden = config.hiddenSize;
  const headDim = hidden / config.numHeads;
  let counter = 0;
  const fresh = (prefix) => `${prefix}_${counter++}`;
  const init = (name, dims, type, data) => {
    initializers.push(tensorProto(name, dims, type, data));
    return name;
  };
  const node = (op, inputs, attributes = {}, outputs = 1) => {
    const names = Array.from({ length: outputs }, () => fresh(op));
    nodes.push(nodeProto(op, inputs, names, attributes));
    return outputs === 1 ? names[0] : names;
  };
  const weight = (name) => tensors.get(name);
  const vector = (name) => init(name, weight(name).shape, DATA_TYPE.float, weight(name).data);
  const layerNorm = (x, prefix) => node('LayerNormalization', [x, vector(`${prefix}.weight`), vector(`${prefix}.bias`)], { axis: -1, epsilon: { value: config.layerNormEps, float: true } });
  const linear = (x, prefix) => {
    const { shape, data } = weight(`${prefix}.weight`);
    const [rows, cols] = shape;
    const bias = vector(`${prefix}.bias`);
    if (!int8) return node('Add', [node('MatMul', [x, init(`${prefix}.weight_t`, [cols, rows], DATA_TYPE.float, transpose(data, rows, cols))]), bias]);
    const { q, scales } = quantizeColumns(data, rows, cols);
    const w = init(`${prefix}.weight_q`, [cols, rows], DATA_TYPE.int8, q);
    const wZero = init(`${prefix}.weight_zero`, [rows], DATA_TYPE.int8, new Int8Array(rows));
    const wScale = init(`${prefix}.weight_scale`, [rows], DATA_TYPE.float, scales);
    const [xq, xScale, xZero] = node('DynamicQuantizeLinear', [x], {}, 3);
    const product = node('Cast', [node('MatMulInteger', [xq, w, xZero, wZero])], { to: DATA_TYPE.float });
    return node('Add', [node('Mul', [product, node('Mul', [xScale, wScale])]), bias]);
  };
  const headsShape = init('heads_shape', [4], DATA_TYPE.int64, BigInt64Array.from([0n, 0n, BigInt(config.numHeads), BigInt(headDim)]));
  const hiddenShape = init('hidden_shape', [3], DATA_TYPE.int64, BigInt64Array.from([0n, 0n, BigInt(hidden)]));
  const invSqrt = init('inv_sqrt_head_dim', [], DATA_TYPE.float, Float32Array.of(1 / Math.sqrt(headDim)));
  const sqrt2 = init('sqrt2', [], DATA_TYPE.float, Float32Array.of(Math.SQRT2));
  const one = init('one', [], DATA_TYPE.float, Float32Array.of(1));
  const half = init('half', [], DATA_TYPE.float, Float32Array.of(0.5));

  const words = node('Gather', [vector('embeddings.word_embeddings.weight'), 'input_ids']);
  const positions = node('Gather', [vector('embeddings.position_embeddings.weight'), 'position_ids']);
  const types = node('Gather', [vector('embeddings.token_type_embeddings.weight'), 'token_type_ids']);
  let h = layerNorm(node('Add', [node('Add', [words, positions]), types]), 'embeddings.LayerNorm');
  for (let layer = 0; layer < config.numLayers; layer++) {
    const p = `encoder.layer.${layer}`;
    const split = (x, perm) => node('Transpose', [node('Reshape', [x, headsShape])], { perm });
    const q = split(linear(h, `${p}.attention.self.query`), [0, 2, 1, 3]);
    const k = split(linear(h, `${p}.attention.self.key`), [0, 2, 3, 1]);
    const v = split(linear(h, `${p}.attention.self.value`), [0, 2, 1, 3]);
    const scores = node('Add', [node('Mul', [node('MatMul', [q, k]), invSqrt]), 'attention_bias']);
    const probs = node('Softmax', [scores], { axis: -1 });
    const context = node('Reshape', [node('Transpose', [node('MatMul', [probs, v])], { perm: [0, 2, 1, 3] }), hiddenShape]);
    const attended = layerNorm(node('Add', [linear(context, `${p}.attention.output.dense`), h]), `${p}.attention.output.LayerNorm`);
    const inner = linear(attended, `${p}.intermediate.dense`);
    const gelu = node('Mul', [node('Mul', [inner, node('Add', [node('Erf', [node('Div', [inner, sqrt2])]), one])]), half]);
    h = layerNorm(node('Add', [linear(gelu, `${p}.output.dense`), attended]), `${p}.output.LayerNorm`);
  }
  nodes.push(nodeProto('Identity', [h], ['last_hidden_state']));
  return modelProto({
    name: int8 ? 'bert-int8-dynamic' : 'bert-fp32',
    nodes,
    initializers,
    inputs: [
      valueInfoProto('input_ids', DATA_TYPE.int64, ['batch', 'seq']),
      valueInfoProto('token_type_ids', DATA_TYPE.int64, ['batch', 'seq']),
      valueInfoProto('position_ids', DATA_TYPE.int64, ['batch', 'seq']),
      valueInfoProto('attention_bias', DATA_TYPE.float, ['batch', 1, 1, 'seq']),
    ],
    outputs: [valueInfoProto('last_hidden_state', DATA_TYPE.float, ['batch', 'seq', hidden])],
  });
}
