import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/config-error';
import { StateDictError } from '../errors/state-dict-error';
import { createRandom } from '../random';
import { initBackend } from '../tensor/backend';
import { tf } from '../tensor/tf';
import { Dropout } from './dropout';
import { LayerNorm } from './layer-norm';
import { Linear } from './linear';
import { Module, ModuleList } from './module';

class Block extends Module {
  readonly dense = this.addModule('dense', new Linear(3, 2, { random: createRandom(1) }));
  readonly norm = this.addModule('LayerNorm', new LayerNorm(2));
}

class Tree extends Module {
  readonly layer = this.addModule('layer', new ModuleList([new Block(), new Block()]));
  readonly dropout = this.addModule('dropout', new Dropout(0.5));
}

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('Module', () => {
  it('names parameters by dotted path in registration order', () => {
    const tree = new Tree();
    expect(tree.namedParameters().map(([name]) => name)).toEqual([
      'layer.0.dense.weight', 'layer.0.dense.bias', 'layer.0.LayerNorm.weight', 'layer.0.LayerNorm.bias',
      'layer.1.dense.weight', 'layer.1.dense.bias', 'layer.1.LayerNorm.weight', 'layer.1.LayerNorm.bias',
    ]);
    expect(tree.getParameter('layer.1.dense.weight')?.shape).toEqual([2, 3]);
    expect(tree.getModule('layer.0.LayerNorm')).toBeInstanceOf(LayerNorm);
    expect(tree.parameterCount()).toBe(2 * (6 + 2 + 2 + 2));
    tree.dispose();
  });

  it('round-trips a state dict and lists every problem of a bad one in one error', () => {
    const source = new Tree();
    const target = new Tree();
    tf.tidy(() => source.getParameter('layer.0.dense.weight')!.assign(tf.fill([2, 3], 7)));
    target.loadStateDict(source.stateDict());
    expect(Array.from(target.getParameter('layer.0.dense.weight')!.variable.dataSync())).toEqual([7, 7, 7, 7, 7, 7]);

    const bad = { ...source.stateDict(), extra: tf.zeros([1]), 'layer.1.dense.bias': tf.zeros([5]) };
    delete (bad as Record<string, tf.Tensor>)['layer.0.LayerNorm.bias'];
    let message = '';
    try {
      target.loadStateDict(bad);
    } catch (error) {
      expect(StateDictError.isInstance(error)).toBe(true);
      message = (error as Error).message;
    }
    expect(message).toContain('missing keys: layer.0.LayerNorm.bias');
    expect(message).toContain('unexpected keys: extra');
    expect(message).toContain('layer.1.dense.bias (expected [2], received [5])');
    // Nothing was loaded: the weight still holds 7s, not the bad dict's values.
    expect(Array.from(target.getParameter('layer.0.dense.weight')!.variable.dataSync())).toEqual([7, 7, 7, 7, 7, 7]);
    const lenient = target.loadStateDict({ 'layer.0.dense.bias': tf.ones([2]), extra: tf.zeros([1]) }, { strict: false });
    expect(lenient.unexpected).toEqual(['extra']);
    expect(lenient.missing).toHaveLength(7);
    source.dispose();
    target.dispose();
  });

  it('switches the whole tree between training and evaluation, which turns dropout off', () => {
    const tree = new Tree();
    const input = tf.ones([4, 8]);
    tree.eval();
    expect(tree.namedModules().every(([, module]) => !module.training)).toBe(true);
    expect(Array.from(tree.dropout.forward(input).dataSync())).toEqual(new Array(32).fill(1));
    tree.train();
    const dropped = Array.from(tree.dropout.forward(input, { random: createRandom(3) }).dataSync());
    expect(new Set(dropped)).toEqual(new Set([0, 2])); // inverted dropout scales kept units by 1 / (1 - 0.5)
    const again = Array.from(tree.dropout.forward(input, { random: createRandom(3) }).dataSync());
    expect(again).toEqual(dropped); // same seed, same mask
    tree.dispose();
  });

  it('rejects names with dots and duplicates', () => {
    class Bad extends Module {
      constructor(name: string) {
        super();
        this.addModule('a', new LayerNorm(1));
        this.addModule(name, new LayerNorm(1));
      }
    }
    expect(() => new Bad('a')).toThrow(ConfigError);
    expect(() => new Bad('b.c')).toThrow(/without dots/);
  });
});

describe('layers', () => {
  it('Linear computes x·Wᵀ + b with W stored [out, in], over leading dimensions', () => {
    const layer = new Linear(3, 2);
    layer.weight.assign(tf.tensor2d([[1, 0, -1], [2, 1, 0]]));
    layer.bias!.assign(tf.tensor1d([0.5, -0.5]));
    const out = layer.forward(tf.tensor3d([[[1, 2, 3]], [[0, 1, 0]]]));
    expect(out.shape).toEqual([2, 1, 2]);
    expect(Array.from(out.dataSync())).toEqual([1 - 3 + 0.5, 2 + 2 - 0.5, 0.5, 1 - 0.5]);
    expect(() => layer.forward(tf.ones([2, 4]))).toThrow(/expected 3/);
    // An input transform runs before the product: doubling the input doubles x·Wᵀ.
    const seen: boolean[] = [];
    const double = { kind: 'test/double', apply: (x: tf.Tensor, context: { training: boolean }) => (seen.push(context.training), tf.mul(x, 2)) };
    layer.addInputTransform(double).eval();
    expect(Array.from(layer.forward(tf.tensor2d([[1, 2, 3]])).dataSync())).toEqual([2 - 6 + 0.5, 4 + 4 - 0.5]);
    expect(seen).toEqual([false]);
    expect(layer.removeInputTransform('test/double')).toBe(double);
    expect(layer.inputTransforms).toHaveLength(0);
    layer.dispose();
  });

  it('LayerNorm normalises the last dimension with the biased variance', () => {
    const norm = new LayerNorm(4, 1e-5);
    const out = Array.from(norm.forward(tf.tensor2d([[1, 2, 3, 4]])).dataSync());
    // mean 2.5, variance 1.25
    const expected = [1, 2, 3, 4].map((x) => (x - 2.5) / Math.sqrt(1.25 + 1e-5));
    out.forEach((value, i) => expect(value).toBeCloseTo(expected[i], 5));
    norm.dispose();
  });
});
