import onnxProto, { type onnx as OnnxProto } from 'onnx-proto';

// onnx-proto is CommonJS: its one export, the `onnx` namespace of onnx.proto's generated
// protobufjs classes, comes as the default import under Node's ESM.
const { onnx } = onnxProto;

/**
 * ONNX `TensorProto.DataType` codes of the element types pofa writes.
 *
 * @example
 * ```ts
 * ONNX_DATA_TYPES.int8; // 3
 * ```
 */
export const ONNX_DATA_TYPES = {
  float: onnx.TensorProto.DataType.FLOAT,
  uint8: onnx.TensorProto.DataType.UINT8,
  int8: onnx.TensorProto.DataType.INT8,
  int32: onnx.TensorProto.DataType.INT32,
  int64: onnx.TensorProto.DataType.INT64,
} as const;

/** An element type of {@link ONNX_DATA_TYPES}. */
export type OnnxDataType = keyof typeof ONNX_DATA_TYPES;

/** The typed array that holds each {@link OnnxDataType}. */
export interface OnnxArrays {
  float: Float32Array;
  uint8: Uint8Array;
  int8: Int8Array;
  int32: Int32Array;
  int64: BigInt64Array;
}

/** A constant tensor (an initializer, or a Constant node's value), data row-major. */
export interface OnnxTensor<T extends OnnxDataType = OnnxDataType> {
  name: string;
  dataType: T;
  dims: readonly number[];
  data: OnnxArrays[T];
}

/** A node attribute value: a float, an int, a string, a list of ints or a tensor. */
export type OnnxAttributeValue = { float: number } | { int: number } | { string: string } | { ints: readonly number[] } | { tensor: OnnxTensor };

/** One operator of a graph; `domain` is the default ONNX domain unless given. */
export interface OnnxNode {
  opType: string;
  name: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes?: Readonly<Record<string, OnnxAttributeValue>>;
  domain?: string;
}

/** A graph input or output: element type and dims (a string is a symbolic dimension). */
export interface OnnxValueInfo {
  name: string;
  dataType: OnnxDataType;
  dims: ReadonlyArray<number | string>;
}

/** A model: one graph, its opset, and string metadata. */
export interface OnnxModel {
  graph: { name: string; nodes: readonly OnnxNode[]; initializers: readonly OnnxTensor[]; inputs: readonly OnnxValueInfo[]; outputs: readonly OnnxValueInfo[] };
  /** The default-domain opset version. */
  opset: number;
  producerName: string;
  producerVersion: string;
  docString?: string;
  metadata?: Readonly<Record<string, string>>;
}

/**
 * The ONNX IR version written: onnx-proto's `Version.IR_VERSION` (8, which goes with opsets up to 18).
 *
 * @example
 * ```ts
 * ONNX_IR_VERSION; // 8
 * ```
 */
export const ONNX_IR_VERSION: number = onnx.Version.IR_VERSION;

const textEncoder = new TextEncoder();

// raw_data is little-endian, which is what typed arrays hold on every platform Node supports;
// the bytes are a view of the tensor's own buffer, copied once, into the encoded model.
function tensorProto(tensor: OnnxTensor): OnnxProto.ITensorProto {
  const { data } = tensor;
  return { name: tensor.name, dims: [...tensor.dims], dataType: ONNX_DATA_TYPES[tensor.dataType], rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

function attributeProto(name: string, value: OnnxAttributeValue): OnnxProto.IAttributeProto {
  const { AttributeType } = onnx.AttributeProto;
  if ('float' in value) return { name, type: AttributeType.FLOAT, f: value.float };
  if ('int' in value) return { name, type: AttributeType.INT, i: value.int };
  // A string attribute is bytes in onnx.proto (protobufjs would read a JS string as base64).
  if ('string' in value) return { name, type: AttributeType.STRING, s: textEncoder.encode(value.string) };
  if ('tensor' in value) return { name, type: AttributeType.TENSOR, t: tensorProto(value.tensor) };
  return { name, type: AttributeType.INTS, ints: [...value.ints] };
}

function nodeProto(node: OnnxNode): OnnxProto.INodeProto {
  return {
    input: [...node.inputs],
    output: [...node.outputs],
    name: node.name,
    opType: node.opType,
    attribute: Object.entries(node.attributes ?? {}).map(([name, value]) => attributeProto(name, value)),
    ...(node.domain === undefined || node.domain === '' ? {} : { domain: node.domain }),
  };
}

function valueInfoProto(info: OnnxValueInfo): OnnxProto.IValueInfoProto {
  const dim = info.dims.map((extent) => (typeof extent === 'number' ? { dimValue: extent } : { dimParam: extent }));
  return { name: info.name, type: { tensorType: { elemType: ONNX_DATA_TYPES[info.dataType], shape: { dim } } } };
}

/**
 * Serializes an ONNX model (a `ModelProto`, IR version {@link ONNX_IR_VERSION}) with onnx-proto's
 * protobufjs encoder to bytes that onnxruntime and `onnx.load` read. Initializers are written as
 * `raw_data`.
 *
 * @example
 * ```ts
 * const bytes = encodeOnnxModel({
 *   opset: 17, producerName: 'pofa', producerVersion: '0.0.0',
 *   graph: { name: 'add', nodes: [{ opType: 'Add', name: 'add', inputs: ['x', 'one'], outputs: ['y'] }],
 *     initializers: [{ name: 'one', dataType: 'float', dims: [], data: Float32Array.of(1) }],
 *     inputs: [{ name: 'x', dataType: 'float', dims: ['n'] }], outputs: [{ name: 'y', dataType: 'float', dims: ['n'] }] },
 * });
 * ```
 */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  const encoded = onnx.ModelProto.encode({
    irVersion: ONNX_IR_VERSION,
    producerName: model.producerName,
    producerVersion: model.producerVersion,
    ...(model.docString === undefined ? {} : { docString: model.docString }),
    opsetImport: [{ domain: '', version: model.opset }],
    metadataProps: Object.entries(model.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: model.graph.name,
      node: model.graph.nodes.map(nodeProto),
      initializer: model.graph.initializers.map(tensorProto),
      input: model.graph.inputs.map(valueInfoProto),
      output: model.graph.outputs.map(valueInfoProto),
    },
  }).finish();
  // A plain Uint8Array view of protobufjs' Node Buffer (no copy).
  return new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength);
}
