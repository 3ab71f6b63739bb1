// A minimal protobuf writer for the parts of ONNX (onnx.proto3, IR version 8) the benchmark
// needs: ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto.

const encoder = new TextEncoder();

/** Appends protobuf fields; `finish()` returns the bytes. */
export class ProtoWriter {
  constructor() {
    this.parts = [];
    this.length = 0;
  }

  push(bytes) {
    this.parts.push(bytes);
    this.length += bytes.length;
  }

  rawVarint(value) {
    const out = [];
    let v = typeof value === 'bigint' ? BigInt.asUintN(64, value) : value < 0 ? BigInt.asUintN(64, BigInt(value)) : value;
    if (typeof v === 'bigint') {
      while (v >= 0x80n) {
        out.push(Number(v & 0x7fn) | 0x80);
        v >>= 7n;
      }
      out.push(Number(v));
    } else {
      while (v >= 0x80) {
        out.push((v % 128) | 0x80);
        v = Math.floor(v / 128);
      }
      out.push(v);
    }
    this.push(Uint8Array.from(out));
  }

  key(field, wireType) {
    this.rawVarint(field * 8 + wireType);
  }

  /** int32 / int64 / enum field. */
  varint(field, value) {
    this.key(field, 0);
    this.rawVarint(value);
  }

  float(field, value) {
    this.key(field, 5);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.push(bytes);
  }

  bytes(field, bytes) {
    this.key(field, 2);
    this.rawVarint(bytes.length);
    this.push(bytes);
  }

  string(field, text) {
    this.bytes(field, encoder.encode(text));
  }

  message(field, writer) {
    this.key(field, 2);
    this.rawVarint(writer.length);
    for (const part of writer.parts) this.push(part);
  }

  finish() {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const part of this.parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }
}

/** ONNX TensorProto.DataType values. */
export const DATA_TYPE = { float: 1, uint8: 2, int8: 3, int32: 6, int64: 7 };

/** A TensorProto initializer with raw little-endian data. */
export function tensorProto(name, dims, dataType, raw) {
  const writer = new ProtoWriter();
  for (const d of dims) writer.varint(1, d);
  writer.varint(2, dataType);
  writer.string(8, name);
  writer.bytes(9, new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength));
  return writer;
}

/** An AttributeProto: number → INT (or FLOAT when `float`), string → STRING, number[] → INTS. */
export function attributeProto(name, value, float = false) {
  const writer = new ProtoWriter();
  writer.string(1, name);
  if (Array.isArray(value)) {
    for (const v of value) writer.varint(8, v);
    writer.varint(20, 7);
  } else if (typeof value === 'string') {
    writer.string(4, value);
    writer.varint(20, 3);
  } else if (float) {
    writer.float(2, value);
    writer.varint(20, 1);
  } else {
    writer.varint(3, value);
    writer.varint(20, 2);
  }
  return writer;
}

/** A NodeProto; `attributes` maps names to values (`{ value, float: true }` for floats). */
export function nodeProto(opType, inputs, outputs, attributes = {}, domain = '') {
  const writer = new ProtoWriter();
  for (const input of inputs) writer.string(1, input);
  for (const output of outputs) writer.string(2, output);
  writer.string(3, `${opType}_${outputs[0]}`);
  writer.string(4, opType);
  for (const [name, value] of Object.entries(attributes)) {
    writer.message(5, typeof value === 'object' && !Array.isArray(value) ? attributeProto(name, value.value, value.float) : attributeProto(name, value));
  }
  if (domain) writer.string(7, domain);
  return writer;
}

/** A ValueInfoProto for a tensor whose dims are numbers or symbolic names. */
export function valueInfoProto(name, elemType, dims) {
  const shape = new ProtoWriter();
  for (const d of dims) {
    const dim = new ProtoWriter();
    if (typeof d === 'number') dim.varint(1, d);
    else dim.string(2, d);
    shape.message(1, dim);
  }
  const tensorType = new ProtoWriter();
  tensorType.varint(1, elemType);
  tensorType.message(2, shape);
  const type = new ProtoWriter();
  type.message(1, tensorType);
  const info = new ProtoWriter();
  info.string(1, name);
  info.message(2, type);
  return info;
}

/** A ModelProto around a graph (IR version 8, default-domain opset `opset`). */
export function modelProto({ nodes, initializers, inputs, outputs, name, opset = 17 }) {
  const graph = new ProtoWriter();
  for (const node of nodes) graph.message(1, node);
  graph.string(2, name);
  for (const initializer of initializers) graph.message(5, initializer);
  for (const input of inputs) graph.message(11, input);
  for (const output of outputs) graph.message(12, output);
  const model = new ProtoWriter();
  model.varint(1, 8);
  model.string(2, 'pofa-benchmarks');
  const opsetId = new ProtoWriter();
  opsetId.string(1, '');
  opsetId.varint(2, opset);
  model.message(8, opsetId);
  const microsoft = new ProtoWriter();
  microsoft.string(1, 'com.microsoft');
  microsoft.varint(2, 1);
  model.message(8, microsoft);
  model.message(7, graph);
  return model.finish();
}
