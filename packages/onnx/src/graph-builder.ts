import { OnnxExportError } from './onnx-export-error';
import type { OnnxArrays, OnnxAttributeValue, OnnxDataType, OnnxNode, OnnxTensor } from './onnx-model';

/** Options of {@link OnnxGraphBuilder.node}. */
export interface NodeOptions {
  attributes?: Record<string, OnnxAttributeValue>;
  /** A prefix for the node and output names (`encoder.layer.0.attention`), for readable graphs. */
  scope?: string;
  /** The output name, instead of a generated one (graph outputs). */
  output?: string;
}

/**
 * Collects the nodes and initializers of an ONNX graph. Output names are generated
 * (`<scope>/<op>_<n>`) and unique; initializer names must be unique, and equal constants made
 * with {@link OnnxGraphBuilder.constant} are stored once.
 *
 * @example
 * ```ts
 * const graph = new OnnxGraphBuilder();
 * const weight = graph.initializer('w', 'float', [2, 2], Float32Array.of(1, 0, 0, 1));
 * const y = graph.node('MatMul', ['x', weight]);
 * ```
 */
export class OnnxGraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private readonly names = new Set<string>();
  private readonly constants = new Map<string, string>();
  private counter = 0;

  private claim(name: string): string {
    if (this.names.has(name)) {
      throw new OnnxExportError(`Two values of the ONNX graph are named ${name}`, { expected: 'unique value names', received: name, hint: 'Please report this' });
    }
    this.names.add(name);
    return name;
  }

  /** Adds an initializer and returns its name. */
  initializer<T extends OnnxDataType>(name: string, dataType: T, dims: readonly number[], data: OnnxArrays[T]): string {
    const count = dims.reduce((product, dim) => product * dim, 1);
    if (data.length !== count) {
      throw new OnnxExportError(`The initializer ${name} does not fit its shape`, { expected: `${count} values for dims [${dims.join(', ')}]`, received: `${data.length} values` });
    }
    this.initializers.push({ name: this.claim(name), dataType, dims: [...dims], data } as OnnxTensor);
    return name;
  }

  /** A constant initializer with these values, stored once however often it is asked for. */
  constant<T extends OnnxDataType>(dataType: T, dims: readonly number[], data: OnnxArrays[T]): string {
    const values = Array.from(data as ArrayLike<number | bigint>, String).join(',');
    const key = `${dataType}[${dims.join(',')}]:${values}`;
    const known = this.constants.get(key);
    if (known !== undefined) return known;
    const name = this.initializer(`const_${this.constants.size}`, dataType, dims, data);
    this.constants.set(key, name);
    return name;
  }

  /** A float32 scalar constant. */
  scalar(value: number): string {
    return this.constant('float', [], Float32Array.of(value));
  }

  /** An int64 constant: a scalar for a number, a vector for an array. */
  int64(value: number | readonly number[]): string {
    return typeof value === 'number'
      ? this.constant('int64', [], BigInt64Array.of(BigInt(value)))
      : this.constant('int64', [value.length], BigInt64Array.from(value, (item) => BigInt(item)));
  }

  /** Adds a node with one output and returns the output's name. */
  node(opType: string, inputs: readonly string[], options: NodeOptions = {}): string {
    return this.nodeWithOutputs(opType, inputs, 1, options)[0];
  }

  /** Adds a node with `count` outputs and returns their names. */
  nodeWithOutputs(opType: string, inputs: readonly string[], count: number, options: NodeOptions = {}): string[] {
    const base = `${options.scope === undefined ? '' : `${options.scope}/`}${opType}_${this.counter++}`;
    const outputs = Array.from({ length: count }, (_, index) => this.claim(index === 0 && options.output !== undefined ? options.output : `${base}:${index}`));
    this.nodes.push({ opType, name: base, inputs: [...inputs], outputs, ...(options.attributes === undefined ? {} : { attributes: options.attributes }) });
    return outputs;
  }
}
