import { beforeAll, describe, expect, it } from 'vitest';
import { ShapeError } from '../errors/shape-error';
import { initBackend } from '../tensor/backend';
import { FUSED_KERNELS } from '../tensor/fused-kernels';
import { tf } from '../tensor/tf';
import { checkFusedKernels } from '../testing/check-fused-kernels';
import { leakedTensors } from '../testing/test-tensors';
import { gelu } from './activations';
import { softmaxCrossEntropy } from './cross-entropy';
import { layerNorm } from './layer-norm';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

function close(actual: tf.Tensor, expected: tf.Tensor, tolerance = 1e-5): void {
  const a = actual.dataSync();
  const e = expected.dataSync();
  expect(a.length).toBe(e.length);
  for (let i = 0; i < e.length; i++) expect(Math.abs(a[i] - e[i])).toBeLessThanOrEqual(tolerance * (1 + Math.abs(e[i])));
}

const randomTensor = (shape: number[], seed: number, scale = 1) => tf.mul(tf.randomUniform(shape, -1, 1, 'float32', seed), scale);

describe('softmaxCrossEntropy', () => {
  it('gives ln(4/3) and softmax − onehot for logits [0, ln 3] with label 1 (worked by hand)', () => {
    const logits = tf.tensor2d([[0, Math.log(3)]]);
    const labels = tf.tensor1d([1], 'int32');
    const { value, grads } = tf.valueAndGrads((x: tf.Tensor) => softmaxCrossEntropy(x, labels, tf.ones([1])))([logits]);
    expect(value.dataSync()[0]).toBeCloseTo(Math.log(4 / 3), 6);
    close(grads[0], tf.tensor2d([[0.25, -0.25]]));
  });

  it('equals log-softmax with one-hot targets (autodiff) including weights and ignored labels', () => {
    const logits = randomTensor([6, 29], 3, 8);
    const labels = tf.tensor1d([0, 28, -100, 4, 29, 13], 'int32'); // -100 and 29 are out of range
    const weights = tf.tensor1d([1, 0.5, 3, 2, 7, 0.125]);
    const keep = tf.tensor1d([1, 1, 0, 1, 0, 1]);
    const reference = (x: tf.Tensor) => {
      const targets = tf.oneHot(tf.mul(labels, tf.cast(keep, 'int32')), 29);
      const perRow = tf.neg(tf.sum(tf.mul(targets, tf.logSoftmax(x)), -1));
      return tf.sum(tf.mul(tf.mul(perRow, weights), keep)) as tf.Scalar;
    };
    const fused = tf.valueAndGrads((x: tf.Tensor) => softmaxCrossEntropy(x, labels, weights))([logits]);
    const expected = tf.valueAndGrads(reference)([logits]);
    close(fused.value, expected.value);
    close(fused.grads[0], expected.grads[0]);
  });

  it('names mismatched shapes', () => {
    expect(() => softmaxCrossEntropy(tf.zeros([3, 4]), tf.zeros([2], 'int32'), tf.ones([3]))).toThrow(ShapeError);
  });

  it('leaks no tensor through a forward and backward pass', () => {
    const logits = randomTensor([4, 9], 1);
    const labels = tf.tensor1d([1, 2, 3, -100], 'int32');
    const weights = tf.ones([4]);
    expect(leakedTensors(() => {
      const { value, grads } = tf.valueAndGrads((x: tf.Tensor) => softmaxCrossEntropy(x, labels, weights))([logits]);
      return [value, ...grads];
    })).toBe(0);
  });
});

describe('layerNorm', () => {
  it('equals the textbook formula and its autodiff gradients', () => {
    const x = randomTensor([2, 5, 11], 4, 3);
    const gamma = randomTensor([11], 5);
    const beta = randomTensor([11], 6);
    const target = randomTensor([2, 5, 11], 7);
    const reference = (input: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const mean = tf.mean(input, -1, true);
      const variance = tf.mean(tf.square(tf.sub(input, mean)), -1, true);
      const y = tf.add(tf.mul(tf.div(tf.sub(input, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
      return tf.sum(tf.mul(y, target)) as tf.Scalar;
    };
    const ours = (input: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(layerNorm(input, g, b, 1e-5), target)) as tf.Scalar;
    const expected = tf.valueAndGrads(reference)([x, gamma, beta]);
    const actual = tf.valueAndGrads(ours)([x, gamma, beta]);
    close(actual.value, expected.value);
    actual.grads.forEach((grad, i) => close(grad, expected.grads[i], 1e-4));
  });
});

describe('gelu', () => {
  it("has GELU'(0) = 1/2 and GELU'(x) = Φ(x) + x·φ(x) (autodiff of x·Φ(x))", () => {
    const [atZero] = tf.grads((x: tf.Tensor) => tf.sum(gelu(x)))([tf.zeros([1])]);
    expect(atZero.dataSync()[0]).toBeCloseTo(0.5, 6);
    const x = randomTensor([3, 13], 8, 4);
    const reference = tf.grads((input: tf.Tensor) => tf.sum(tf.mul(tf.mul(input, tf.add(tf.erf(tf.mul(input, Math.SQRT1_2)), 1)), 0.5)))([x]);
    close(tf.grads((input: tf.Tensor) => tf.sum(gelu(input)))([x])[0], reference[0], 1e-4);
  });
});

describe('fusedKernelChecks', () => {
  it('fails for a backend that registers no fused kernel', () => {
    const failures = checkFusedKernels();
    expect(failures.map((failure) => failure.message).every((message) => message.includes('does not register'))).toBe(true);
    expect(failures).toHaveLength(7);
  });

  it('catches a wrong fused kernel', () => {
    const register = (kernelFunc: tf.KernelFunc, name: string) => tf.registerKernel({ kernelName: name, backendName: 'cpu', kernelFunc });
    const identity: tf.KernelFunc = ({ inputs, backend }) => {
      const x = (inputs as unknown as { x: tf.TensorInfo }).x;
      const values = (backend as unknown as { readSync(id: object): Float32Array }).readSync(x.dataId);
      return (backend as unknown as { makeTensorInfo(s: number[], d: string, v: Float32Array): tf.TensorInfo }).makeTensorInfo(x.shape, 'float32', Float32Array.from(values));
    };
    register(identity, FUSED_KERNELS.gelu);
    register(identity, FUSED_KERNELS.geluGrad);
    try {
      const geluFailures = checkFusedKernels().filter((failure) => failure.check.startsWith('gelu'));
      expect(geluFailures.length).toBeGreaterThan(0);
      expect(geluFailures[0].message).toMatch(/differs from the composition/);
    } finally {
      tf.unregisterKernel(FUSED_KERNELS.gelu, 'cpu');
      tf.unregisterKernel(FUSED_KERNELS.geluGrad, 'cpu');
    }
  });
});
