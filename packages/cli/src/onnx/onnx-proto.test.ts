import { InferenceSession, Tensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { readOnnx } from './__fixtures__/read-onnx';
import { OnnxGraphBuilder } from './graph-builder';
import { OnnxExportError } from './onnx-export-error';
import { encodeOnnxModel } from './onnx-proto';
import { ProtobufWriter } from './protobuf-writer';

const bytesOf = (writer: ProtobufWriter) => Array.from(writer.finish());

describe('ProtobufWriter', () => {
  it('writes the wire format of the protobuf encoding guide', () => {
    // The guide's examples: field 1 = 150 → 08 96 01; field 2 = "testing" → 12 07 74 65 73 74 69 6e 67;
    // field 3 = a message holding field 1 = 150 → 1a 03 08 96 01.
    expect(bytesOf(new ProtobufWriter().int64(1, 150))).toEqual([0x08, 0x96, 0x01]);
    expect(bytesOf(new ProtobufWriter().string(2, 'testing'))).toEqual([0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67]);
    expect(bytesOf(new ProtobufWriter().message(3, new ProtobufWriter().int64(1, 150)))).toEqual([0x1a, 0x03, 0x08, 0x96, 0x01]);
    // int64 −1 is ten bytes (two's complement), 2^40 five; a float is fixed32 little-endian (1.0 = 0x3f800000).
    expect(bytesOf(new ProtobufWriter().int64(1, -1))).toEqual([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(bytesOf(new ProtobufWriter().int64(1, 2 ** 40))).toEqual([0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20]);
    expect(bytesOf(new ProtobufWriter().float(2, 1))).toEqual([0x15, 0x00, 0x00, 0x80, 0x3f]);
    const nested = new ProtobufWriter().bytes(9, Uint8Array.of(1, 2, 3));
    expect(new ProtobufWriter().message(5, nested).byteLength).toBe(2 + nested.byteLength);
  });
});

describe('encodeOnnxModel', () => {
  it('writes a QDQ graph that onnxruntime runs to the hand-worked values', async () => {
    // y = DequantizeLinear(QuantizeLinear(x, 0.5, 10)) + bias: x / 0.5 = [−1, 2.5, 3.6, 200] → round half to even
    // [−1, 2, 4, 200] → + 10 → [9, 12, 14, 210]; minus 10, times 0.5: [−0.5, 1, 2, 100]; plus [1, 2, 3, 4].
    const graph = new OnnxGraphBuilder();
    const scale = graph.scalar(0.5);
    const zeroPoint = graph.constant('uint8', [], Uint8Array.of(10));
    const bias = graph.initializer('bias', 'float', [4], Float32Array.of(1, 2, 3, 4));
    const quantized = graph.node('QuantizeLinear', ['x', scale, zeroPoint]);
    graph.node('Add', [graph.node('DequantizeLinear', [quantized, scale, zeroPoint]), bias], { output: 'y' });
    expect(graph.scalar(0.5)).toBe(scale);
    const bytes = encodeOnnxModel({
      opset: 17,
      producerName: 'pofa-test',
      producerVersion: '1.2.3',
      metadata: { purpose: 'test' },
      graph: { name: 'qdq', nodes: graph.nodes, initializers: graph.initializers, inputs: [{ name: 'x', dataType: 'float', dims: ['n', 4] }], outputs: [{ name: 'y', dataType: 'float', dims: ['n', 4] }] },
    });
    const session = await InferenceSession.create(bytes);
    const result = await session.run({ x: new Tensor('float32', Float32Array.of(-0.5, 1.25, 1.8, 100), [1, 4]) });
    expect(Array.from(result.y.data as Float32Array)).toEqual([0.5, 3, 5, 104]);
    await session.release();

    const read = readOnnx(bytes);
    expect([read.irVersion, read.opset, read.producerName, read.metadata]).toEqual([8, 17, 'pofa-test', { purpose: 'test' }]);
    expect(read.inputs).toEqual([{ name: 'x', elemType: 1, dims: ['n', 4] }]);
    expect(read.nodes.map((node) => node.opType)).toEqual(['QuantizeLinear', 'DequantizeLinear', 'Add']);
    expect(Array.from(new Float32Array(read.initializers.get('bias')!.raw.slice().buffer))).toEqual([1, 2, 3, 4]);
  });

  it('refuses duplicate names and initializers that do not fit their shape', () => {
    const graph = new OnnxGraphBuilder();
    graph.initializer('w', 'float', [2], Float32Array.of(1, 2));
    expect(() => graph.initializer('w', 'float', [2], Float32Array.of(1, 2))).toThrow(OnnxExportError);
    expect(() => graph.initializer('v', 'int8', [2, 2], Int8Array.of(1, 2, 3))).toThrow(/4 values for dims \[2, 2\]/);
  });
});
