import { initBackend } from '@pofa/core';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { smallBert, smallDistilBert } from './__fixtures__/onnx-models';
import { readOnnx } from './__fixtures__/read-onnx';
import { buildOnnxModel } from './export-onnx';
import { OnnxGraphBuilder } from './graph-builder';
import { OnnxExportError } from './onnx-export-error';
import { encodeOnnxModel } from './onnx-model';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
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
    expect([read.irVersion, read.opsets, read.producerName, read.metadata]).toEqual([8, { '': 17 }, 'pofa-test', { purpose: 'test' }]);
    expect(read.inputs).toEqual([{ name: 'x', elemType: 1, dims: ['n', 4] }]);
    expect(read.nodes.map((node) => node.opType)).toEqual(['QuantizeLinear', 'DequantizeLinear', 'Add']);
    expect(Array.from(new Float32Array(read.initializers.get('bias')!.raw.buffer))).toEqual([1, 2, 3, 4]);
  });

  it('refuses duplicate names and initializers that do not fit their shape', () => {
    const graph = new OnnxGraphBuilder();
    graph.initializer('w', 'float', [2], Float32Array.of(1, 2));
    expect(() => graph.initializer('w', 'float', [2], Float32Array.of(1, 2))).toThrow(OnnxExportError);
    expect(() => graph.initializer('v', 'int8', [2, 2], Int8Array.of(1, 2, 3))).toThrow(/4 values for dims \[2, 2\]/);
  });
});

describe('the written protobuf, decoded with onnx-proto', () => {
  it.each(['bert', 'distilbert'] as const)('round-trips a %s model: IR 8, opset 17, inputs, outputs, every parameter at its shape and value', (family) => {
    const model = family === 'bert' ? smallBert('sequence-classification', 51, { numLabels: 3 }) : smallDistilBert('question-answering', 52);
    const read = readOnnx(buildOnnxModel(model));
    expect([read.irVersion, read.opsets, read.producerName]).toEqual([8, { '': 17 }, 'pofa']);
    const ids = (name: string) => ({ name, elemType: 7, dims: ['batch', 'sequence'] });
    expect(read.inputs).toEqual(family === 'bert' ? [ids('input_ids'), ids('attention_mask'), ids('token_type_ids')] : [ids('input_ids'), ids('attention_mask')]);
    expect(read.outputs).toEqual(
      family === 'bert' ? [{ name: 'logits', elemType: 1, dims: ['batch', 3] }] : ['start_logits', 'end_logits'].map((name) => ({ name, elemType: 1, dims: ['batch', 'sequence'] })),
    );
    // Every parameter is one fp32 initializer: Linear weights transposed to [in, out] (`.weight_t`), the rest as they are.
    const parameters = model.namedParameters();
    for (const [name, parameter] of parameters) {
      const transposed = parameter.shape.length === 2 && !name.startsWith('embeddings.');
      const tensor = read.initializers.get(transposed ? `${name}_t` : name);
      expect(tensor, name).toBeDefined();
      expect([tensor!.dataType, tensor!.dims]).toEqual([1, transposed ? [...parameter.shape].reverse() : parameter.shape]);
      const values = new Float32Array(tensor!.raw.buffer);
      const [rows, columns] = parameter.shape;
      // Element [r, c] of a Linear weight is element [c, r] of its initializer.
      const rowMajor = transposed ? Float32Array.from(values, (_, index) => values[(index % columns) * rows + Math.floor(index / columns)]) : values;
      expect(rowMajor).toEqual(Float32Array.from(parameter.variable.dataSync()));
    }
    const named = new Set(parameters.map(([name]) => name));
    const constants = [...read.initializers.keys()].filter((name) => !named.has(name.replace(/_t$/, '')));
    expect(constants.every((name) => /^const_\d+$/.test(name))).toBe(true);
    model.dispose();
  });
});
