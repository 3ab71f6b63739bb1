import { createAdamW, FUSED_KERNELS, hasFusedKernels, initBackend, layerNorm, Parameter, softmaxCrossEntropy, tf } from '@pofa/core';
import { checkFusedKernels } from '@pofa/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadNativeAddon } from '../kernels/native-addon';
import { POFA_NATIVE_BACKEND, registerPofaNativeBackend } from './register-pofa-native-backend';
import { hasFusedKernelFunctions, hasTrainingKernels } from './training-addon';

const { addon } = loadNativeAddon();
const native = addon !== undefined && hasTrainingKernels(addon) && hasFusedKernelFunctions(addon);

describe.runIf(native)('pofa-native fused kernels', () => {
  beforeAll(async () => {
    registerPofaNativeBackend();
    await initBackend({ backend: POFA_NATIVE_BACKEND });
  });

  it('registers every fused kernel', () => {
    expect(hasFusedKernels(...Object.values(FUSED_KERNELS))).toBe(true);
  });

  it('passes the fused-kernel conformance checks (values and gradients equal the compositions)', () => {
    expect(checkFusedKernels({ tolerance: 2e-5 })).toEqual([]);
    expect(checkFusedKernels({ tolerance: 2e-5, seed: 99 })).toEqual([]);
  });

  it('gives the masked-LM loss of a vocabulary-sized row set the value and gradient of log-softmax + one-hot on cpu', async () => {
    const rows = 9;
    const classes = 3001;
    const labelValues = [0, 3000, -100, 17, 2999, -100, 5, 1500, 42];
    const compute = () => {
      const logits = tf.mul(tf.randomNormal([rows, classes], 0, 1, 'float32', 3), 4);
      const labels = tf.tensor1d(labelValues, 'int32');
      const weights = tf.fill([rows], 1 / 7);
      const { value, grads } = tf.valueAndGrads((x: tf.Tensor) => softmaxCrossEntropy(x, labels, weights))([logits]);
      const out = [value.dataSync()[0], Float32Array.from(grads[0].dataSync())] as const;
      tf.dispose([logits, labels, weights, value, ...grads]);
      return out;
    };
    const [nativeLoss, nativeGrad] = compute();
    await initBackend({ backend: 'cpu' });
    const reference = (() => {
      const logits = tf.mul(tf.randomNormal([rows, classes], 0, 1, 'float32', 3), 4);
      const keep = tf.tensor1d(labelValues.map((label) => (label < 0 ? 0 : 1)));
      const targets = tf.oneHot(tf.tensor1d(labelValues.map((label) => Math.max(label, 0)), 'int32'), classes);
      const { value, grads } = tf.valueAndGrads((x: tf.Tensor) => tf.div(tf.sum(tf.mul(tf.neg(tf.sum(tf.mul(targets, tf.logSoftmax(x)), -1)), keep)), 7) as tf.Scalar)([logits]);
      const out = [value.dataSync()[0], Float32Array.from(grads[0].dataSync())] as const;
      tf.dispose([logits, keep, targets, value, ...grads]);
      return out;
    })();
    await initBackend({ backend: POFA_NATIVE_BACKEND });
    expect(Math.abs(nativeLoss - reference[0])).toBeLessThan(1e-5 * Math.abs(reference[0]));
    let worst = 0;
    let largest = 0;
    for (let i = 0; i < nativeGrad.length; i++) {
      worst = Math.max(worst, Math.abs(nativeGrad[i] - reference[1][i]));
      largest = Math.max(largest, Math.abs(reference[1][i]));
    }
    // A few float32 ulps of the largest gradient: the AVX2 and scalar exp differ from AVX-512's
    // in the last bits (1.04e-7 on a largest gradient of ~0.14 there).
    expect(worst).toBeLessThan(1e-6 * largest);
  });

  it('layer normalisation of a constant row gives β and finite gradients', () => {
    const x = tf.fill([2, 8], 3);
    const gamma = tf.linspace(0.5, 2, 8);
    const beta = tf.linspace(-1, 1, 8);
    const { value, grads } = tf.valueAndGrads((input: tf.Tensor) => tf.sum(layerNorm(input, gamma, beta, 1e-5)) as tf.Scalar)([x]);
    const y = tf.tidy(() => layerNorm(x, gamma, beta, 1e-5));
    expect(Array.from(y.dataSync())).toEqual([...Array.from(beta.dataSync()), ...Array.from(beta.dataSync())]);
    expect(Array.from(grads[0].dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([x, gamma, beta, value, y, ...grads]);
  });

  it('keeps pruned weights at zero through fused AdamW steps with weight decay', () => {
    const parameter = new Parameter(tf.tensor2d([[0, 1.5], [-2, 0]]));
    const optimizer = createAdamW({ weightDecay: 0.1 });
    for (let step = 0; step < 20; step++) {
      const gradient = tf.tensor2d([[0, 0.3], [-0.2, 0]]);
      optimizer.step([['w', parameter]], { w: gradient }, 0.05);
      gradient.dispose();
    }
    const values = parameter.variable.dataSync();
    expect([values[0], values[3]]).toEqual([0, 0]);
    expect(Math.abs(values[1])).toBeLessThan(1.5);
    optimizer.dispose();
    parameter.dispose();
  });
});
