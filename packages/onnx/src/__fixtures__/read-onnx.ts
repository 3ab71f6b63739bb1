// Reads back the parts of an ONNX ModelProto the tests check, with onnx-proto's protobufjs
// decoder (int64 fields as numbers, tensor bytes copied out of the model's buffer).
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export interface ReadTensor {
  name: string;
  dataType: number;
  dims: number[];
  /** The raw_data bytes, in their own buffer (so `new Float32Array(raw.buffer)` reads them). */
  raw: Uint8Array;
}

export interface ReadNode {
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, { int?: number; float?: number; ints?: number[] }>;
}

export interface ReadValueInfo {
  name: string;
  elemType: number;
  dims: Array<number | string>;
}

export interface ReadModel {
  irVersion: number;
  opset: number;
  /** Every opset import: domain → version. */
  opsets: Record<string, number>;
  producerName: string;
  metadata: Record<string, string>;
  nodes: ReadNode[];
  initializers: Map<string, ReadTensor>;
  inputs: ReadValueInfo[];
  outputs: ReadValueInfo[];
}

/** The model as plain objects, int64 as numbers (every value the tests read fits a double). */
type Plain = ReturnType<typeof onnx.ModelProto.toObject>;

function readValueInfo(info: Plain): ReadValueInfo {
  const tensorType = info.type.tensorType;
  return {
    name: info.name,
    elemType: tensorType.elemType,
    dims: (tensorType.shape?.dim ?? []).map((dim: Plain) => (dim.dimParam !== undefined && dim.dimParam !== '' ? dim.dimParam : dim.dimValue)),
  };
}

function readNode(node: Plain): ReadNode {
  const attributes: ReadNode['attributes'] = {};
  for (const attribute of node.attribute ?? []) {
    const { AttributeType } = onnx.AttributeProto;
    attributes[attribute.name] =
      attribute.type === AttributeType.FLOAT ? { float: attribute.f } : attribute.type === AttributeType.INT ? { int: attribute.i } : attribute.type === AttributeType.INTS ? { ints: attribute.ints } : {};
  }
  return { opType: node.opType, domain: node.domain ?? '', inputs: node.input ?? [], outputs: node.output ?? [], attributes };
}

/** Decodes ONNX model bytes with onnx-proto's `ModelProto.decode`. */
export function readOnnx(bytes: Uint8Array): ReadModel {
  const decoded = onnx.ModelProto.decode(bytes);
  const model: Plain = onnx.ModelProto.toObject(decoded, { longs: Number, enums: Number, defaults: false });
  const graph = model.graph;
  const opsets: Record<string, number> = Object.fromEntries((model.opsetImport ?? []).map((entry: Plain) => [entry.domain ?? '', entry.version]));
  return {
    irVersion: model.irVersion,
    opset: opsets[''],
    opsets,
    producerName: model.producerName,
    metadata: Object.fromEntries((model.metadataProps ?? []).map((entry: Plain) => [entry.key, entry.value])),
    nodes: (graph.node ?? []).map(readNode),
    initializers: new Map(
      (graph.initializer ?? []).map((tensor: Plain): [string, ReadTensor] => [
        tensor.name,
        { name: tensor.name, dataType: tensor.dataType, dims: tensor.dims ?? [], raw: Uint8Array.from(tensor.rawData ?? []) },
      ]),
    ),
    inputs: (graph.input ?? []).map(readValueInfo),
    outputs: (graph.output ?? []).map(readValueInfo),
  };
}
