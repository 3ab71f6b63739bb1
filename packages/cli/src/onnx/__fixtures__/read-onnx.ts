// A small protobuf reader of ONNX ModelProto for tests: written apart from the writer (from
// onnx.proto's field numbers), so that the tests read back what the writer wrote independently.

interface Field {
  field: number;
  wireType: number;
  /** varint value, or fixed32 bits. */
  value?: bigint;
  bytes?: Uint8Array;
}

function readFields(buffer: Uint8Array): Field[] {
  const fields: Field[] = [];
  let offset = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = buffer[offset++];
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (offset < buffer.length) {
    const key = Number(varint());
    const field = key >> 3;
    const wireType = key & 7;
    if (wireType === 0) fields.push({ field, wireType, value: varint() });
    else if (wireType === 5) {
      fields.push({ field, wireType, bytes: buffer.subarray(offset, offset + 4) });
      offset += 4;
    } else if (wireType === 2) {
      const length = Number(varint());
      fields.push({ field, wireType, bytes: buffer.subarray(offset, offset + length) });
      offset += length;
    } else throw new Error(`unexpected wire type ${wireType}`);
  }
  return fields;
}

const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);
const signed = (value: bigint | undefined) => Number(BigInt.asIntN(64, value ?? 0n));

export interface ReadTensor {
  name: string;
  dataType: number;
  dims: number[];
  raw: Uint8Array;
}

export interface ReadNode {
  opType: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, { int?: number; float?: number; ints?: number[] }>;
}

export interface ReadModel {
  irVersion: number;
  opset: number;
  producerName: string;
  metadata: Record<string, string>;
  nodes: ReadNode[];
  initializers: Map<string, ReadTensor>;
  inputs: Array<{ name: string; elemType: number; dims: Array<number | string> }>;
  outputs: Array<{ name: string; elemType: number; dims: Array<number | string> }>;
}

function readTensor(bytes: Uint8Array): ReadTensor {
  const fields = readFields(bytes);
  return {
    name: text(fields.find((f) => f.field === 8)?.bytes),
    dataType: signed(fields.find((f) => f.field === 2)?.value),
    dims: fields.filter((f) => f.field === 1).map((f) => signed(f.value)),
    raw: fields.find((f) => f.field === 9)?.bytes ?? new Uint8Array(0),
  };
}

function readNode(bytes: Uint8Array): ReadNode {
  const fields = readFields(bytes);
  const attributes: ReadNode['attributes'] = {};
  for (const attribute of fields.filter((f) => f.field === 5)) {
    const parts = readFields(attribute.bytes!);
    const name = text(parts.find((f) => f.field === 1)?.bytes);
    const float = parts.find((f) => f.field === 2)?.bytes;
    const int = parts.find((f) => f.field === 3)?.value;
    const ints = parts.filter((f) => f.field === 8).map((f) => signed(f.value));
    attributes[name] = {
      ...(float === undefined ? {} : { float: new DataView(float.buffer, float.byteOffset, 4).getFloat32(0, true) }),
      ...(int === undefined ? {} : { int: signed(int) }),
      ...(ints.length === 0 ? {} : { ints }),
    };
  }
  return {
    inputs: fields.filter((f) => f.field === 1).map((f) => text(f.bytes)),
    outputs: fields.filter((f) => f.field === 2).map((f) => text(f.bytes)),
    opType: text(fields.find((f) => f.field === 4)?.bytes),
    attributes,
  };
}

function readValueInfo(bytes: Uint8Array): { name: string; elemType: number; dims: Array<number | string> } {
  const fields = readFields(bytes);
  const tensorType = readFields(readFields(fields.find((f) => f.field === 2)!.bytes!).find((f) => f.field === 1)!.bytes!);
  const shape = readFields(tensorType.find((f) => f.field === 2)!.bytes!);
  return {
    name: text(fields.find((f) => f.field === 1)?.bytes),
    elemType: signed(tensorType.find((f) => f.field === 1)?.value),
    dims: shape.map((dim) => {
      const part = readFields(dim.bytes!)[0];
      return part.field === 1 ? signed(part.value) : text(part.bytes);
    }),
  };
}

/** Reads the parts of an ONNX model the tests check. */
export function readOnnx(bytes: Uint8Array): ReadModel {
  const fields = readFields(bytes);
  const graph = readFields(fields.find((f) => f.field === 7)!.bytes!);
  const opsets = fields.filter((f) => f.field === 8).map((f) => readFields(f.bytes!));
  const metadata = Object.fromEntries(
    fields.filter((f) => f.field === 14).map((f) => {
      const entry = readFields(f.bytes!);
      return [text(entry.find((e) => e.field === 1)?.bytes), text(entry.find((e) => e.field === 2)?.bytes)];
    }),
  );
  return {
    irVersion: signed(fields.find((f) => f.field === 1)?.value),
    opset: signed(opsets.find((opset) => text(opset.find((f) => f.field === 1)?.bytes) === '')?.find((f) => f.field === 2)?.value),
    producerName: text(fields.find((f) => f.field === 2)?.bytes),
    metadata,
    nodes: graph.filter((f) => f.field === 1).map((f) => readNode(f.bytes!)),
    initializers: new Map(graph.filter((f) => f.field === 5).map((f) => readTensor(f.bytes!)).map((tensor) => [tensor.name, tensor])),
    inputs: graph.filter((f) => f.field === 11).map((f) => readValueInfo(f.bytes!)),
    outputs: graph.filter((f) => f.field === 12).map((f) => readValueInfo(f.bytes!)),
  };
}
