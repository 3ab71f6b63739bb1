import { ProtobufWriter } from './protobuf-writer';

/**
 * ONNX `TensorProto.DataType` codes of the element types pofa writes.
 *
 * @example
 * ```ts
 * ONNX_DATA_TYPES.int8; // 3
 * ```
 */
export const ONNX_DATA_TYPES = { float: 1, uint8: 2, int8: 3, int32: 6, int64: 7 } as const;

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
 * The ONNX IR version written (IR 8 goes with opsets up to 18).
 *
 * @example
 * ```ts
 * ONNX_IR_VERSION; // 8
 * ```
 */
export const ONNX_IR_VERSION = 8;

// Field numbers of onnx.proto (IR version 8).
const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, tensor: 4, ints: 7 } as const;

function tensorProto(tensor: OnnxTensor): ProtobufWriter {
  const writer = new ProtobufWriter();
  for (const dim of tensor.dims) writer.int64(1, dim);
  writer.int64(2, ONNX_DATA_TYPES[tensor.dataType]);
  writer.string(8, tensor.name);
  // raw_data is little-endian, which is what typed arrays hold on every platform Node supports.
  const { data } = tensor;
  return writer.bytes(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

function attributeProto(name: string, value: OnnxAttributeValue): ProtobufWriter {
  const writer = new ProtobufWriter().string(1, name);
  if ('float' in value) return writer.float(2, value.float).int64(20, ATTRIBUTE_TYPE.float);
  if ('int' in value) return writer.int64(3, value.int).int64(20, ATTRIBUTE_TYPE.int);
  if ('string' in value) return writer.string(4, value.string).int64(20, ATTRIBUTE_TYPE.string);
  if ('tensor' in value) return writer.message(5, tensorProto(value.tensor)).int64(20, ATTRIBUTE_TYPE.tensor);
  for (const item of value.ints) writer.int64(8, item);
  return writer.int64(20, ATTRIBUTE_TYPE.ints);
}

function nodeProto(node: OnnxNode): ProtobufWriter {
  const writer = new ProtobufWriter();
  for (const input of node.inputs) writer.string(1, input);
  for (const output of node.outputs) writer.string(2, output);
  writer.string(3, node.name).string(4, node.opType);
  for (const [name, value] of Object.entries(node.attributes ?? {})) writer.message(5, attributeProto(name, value));
  if (node.domain !== undefined && node.domain !== '') writer.string(7, node.domain);
  return writer;
}

function valueInfoProto(info: OnnxValueInfo): ProtobufWriter {
  const shape = new ProtobufWriter();
  for (const dim of info.dims) shape.message(1, typeof dim === 'number' ? new ProtobufWriter().int64(1, dim) : new ProtobufWriter().string(2, dim));
  const tensorType = new ProtobufWriter().int64(1, ONNX_DATA_TYPES[info.dataType]).message(2, shape);
  return new ProtobufWriter().string(1, info.name).message(2, new ProtobufWriter().message(1, tensorType));
}

/**
 * Serializes an ONNX model (a `ModelProto`, IR version {@link ONNX_IR_VERSION}) to bytes that
 * onnxruntime and `onnx.load` read. Initializers are written as `raw_data`.
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
  const graph = new ProtobufWriter();
  for (const node of model.graph.nodes) graph.message(1, nodeProto(node));
  graph.string(2, model.graph.name);
  for (const initializer of model.graph.initializers) graph.message(5, tensorProto(initializer));
  for (const input of model.graph.inputs) graph.message(11, valueInfoProto(input));
  for (const output of model.graph.outputs) graph.message(12, valueInfoProto(output));
  const writer = new ProtobufWriter().int64(1, ONNX_IR_VERSION).string(2, model.producerName).string(3, model.producerVersion);
  if (model.docString !== undefined) writer.string(6, model.docString);
  writer.message(7, graph);
  writer.message(8, new ProtobufWriter().string(1, '').int64(2, model.opset));
  for (const [key, value] of Object.entries(model.metadata ?? {})) writer.message(14, new ProtobufWriter().string(1, key).string(2, value));
  return writer.finish();
}
