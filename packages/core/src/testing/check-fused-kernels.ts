import { softmaxCrossEntropy } from '../nn/cross-entropy';
import { gelu } from '../nn/activations';
import { layerNorm } from '../nn/layer-norm';
import { createAdamW } from '../training/adamw';
import { invertedDropout } from '../nn/inverted-dropout';
import { channelMinMax } from '../tensor/channel-min-max';
import { fakeQuantizeAffine } from '../tensor/fake-quantize-affine';
import { Parameter } from '../nn/parameter';
import { FUSED_KERNELS, hasFusedKernels, setFusedKernelsEnabled, type FusedKernelName } from '../tensor/fused-kernels';
import { tf } from '../tensor/tf';
import { runChecks, type ConformanceCheck, type ConformanceFailure } from './conformance-check';
import { distinctMagnitudes, tensorOf } from './test-tensors';

/** Settings of {@link fusedKernelChecks}. */
export interface FusedKernelCheckOptions {
  /** Largest allowed |fused − composite| / (1 + |composite|), per element (default 1e-5). */
  tolerance?: number;
  /** Seeds the test tensors (default 5). */
  seed?: number;
}

interface Case {
  name: string;
  kernels: FusedKernelName[];
  /** The values to compare (outputs and gradients), computed on the active path. */
  evaluate(): Float32Array[];
}

function worstDifference(actual: Float32Array, expected: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / (1 + Math.abs(expected[i])));
  return worst;
}

function seeded(shape: number[], seed: number, scale: number): tf.Tensor {
  const count = shape.reduce((product, size) => product * size, 1);
  return tf.tidy(() => tf.mul(tensorOf(distinctMagnitudes(count, seed), shape), scale));
}

/** The value and the gradients of `f` with respect to `xs`, as arrays. */
function valueAndGrads(f: (...xs: tf.Tensor[]) => tf.Scalar, xs: tf.Tensor[]): Float32Array[] {
  return tf.tidy(() => {
    const { value, grads } = tf.valueAndGrads(f)(xs);
    return [value, ...grads].map((t) => t.dataSync() as Float32Array).map((values) => Float32Array.from(values));
  });
}

function cases(seed: number): Case[] {
  // Shapes with odd sizes (not multiples of any vector width) and an ignored label.
  const rows = 7;
  const classes = 37;
  const size = 19;
  return [
    {
      name: 'softmaxCrossEntropy',
      kernels: [FUSED_KERNELS.softmaxCrossEntropy, FUSED_KERNELS.softmaxCrossEntropyGrad],
      evaluate: () => {
        const logits = seeded([rows, classes], seed, 12);
        const labels = tf.tensor1d([3, 0, 36, -100, 17, 36, 5], 'int32');
        const weights = tf.tensor1d([0.5, 1, 2, 1, 0.25, 1, 3]);
        const out = valueAndGrads((x) => softmaxCrossEntropy(x, labels, weights), [logits]);
        tf.dispose([logits, labels, weights]);
        return out;
      },
    },
    {
      name: 'layerNorm',
      kernels: [FUSED_KERNELS.layerNorm, FUSED_KERNELS.layerNormGrad],
      evaluate: () => {
        const x = seeded([2, 3, size], seed + 1, 6);
        const gamma = seeded([size], seed + 2, 2);
        const beta = seeded([size], seed + 3, 1);
        const target = seeded([2, 3, size], seed + 4, 1);
        const out = valueAndGrads((input, g, b) => tf.sum(tf.mul(layerNorm(input, g, b, 1e-12), target)) as tf.Scalar, [x, gamma, beta]);
        tf.dispose([x, gamma, beta, target]);
        return out;
      },
    },
    {
      name: 'gelu',
      kernels: [FUSED_KERNELS.gelu, FUSED_KERNELS.geluGrad],
      evaluate: () => {
        const x = seeded([5, size], seed + 5, 10);
        const target = seeded([5, size], seed + 6, 1);
        const out = valueAndGrads((input) => tf.sum(tf.mul(gelu(input), target)) as tf.Scalar, [x]);
        tf.dispose([x, target]);
        return out;
      },
    },
    {
      name: 'adamW',
      kernels: [FUSED_KERNELS.adamW],
      evaluate: () => {
        const parameter = new Parameter(seeded([size, 5], seed + 7, 1));
        const optimizer = createAdamW({ weightDecay: 0.01 });
        for (let step = 0; step < 3; step++) {
          const gradient = seeded([size, 5], seed + 8 + step, 0.1);
          optimizer.step([['w', parameter]], { w: gradient }, 1e-2, step === 1 ? 0.37 : 1);
          gradient.dispose();
        }
        const state = optimizer.stateTensors();
        const out = [parameter.variable, state['w::exp_avg'], state['w::exp_avg_sq']].map((t) => Float32Array.from(t.dataSync() as Float32Array));
        optimizer.dispose();
        parameter.dispose();
        return out;
      },
    },
    {
      name: 'fakeQuantizeAffine (per tensor, per row, per column; ties, clamping)',
      kernels: [FUSED_KERNELS.fakeQuantize],
      evaluate: () => {
        // Multiples of 0.25 with scale 0.5 put x / scale on ties (k + 0.5); a spread of 40 clamps some.
        const x = tf.tidy(() => tf.mul(tf.round(tf.mul(seeded([rows, size], seed + 11, 40), 4)), 0.25));
        const target = seeded([rows, size], seed + 12, 1);
        const perTensor = { scales: Float32Array.of(0.5), inverseScales: Float32Array.of(2), zeroPoints: Float32Array.of(3), quantMin: -20, quantMax: 20 };
        const rowScales = Float32Array.from({ length: rows }, (_, i) => 0.25 * (i + 1));
        const perRow = { scales: rowScales, inverseScales: rowScales.map((v) => 1 / v), zeroPoints: new Float32Array(rows), quantMin: -127, quantMax: 127, axis: 0 };
        const columnScales = Float32Array.from({ length: size }, (_, i) => 0.125 * ((i % 3) + 1));
        const perColumn = { scales: columnScales, inverseScales: columnScales.map((v) => 1 / v), zeroPoints: Float32Array.from({ length: size }, (_, i) => i % 5), quantMin: 0, quantMax: 15, axis: 1 };
        // Symmetric from the tensor's own range (as weights are): every element in range, so the kernel path drops the mask.
        const own = Math.fround(40 / 127);
        const inRange = { scales: Float32Array.of(own), inverseScales: Float32Array.of(1 / own), zeroPoints: Float32Array.of(0), quantMin: -127, quantMax: 127 };
        const out = [perTensor, perRow, perColumn, inRange].flatMap((q) => valueAndGrads((input) => tf.sum(tf.mul(fakeQuantizeAffine(input, q), target)) as tf.Scalar, [x]));
        tf.dispose([x, target]);
        return out;
      },
    },
    {
      name: 'channelMinMax (whole tensor, axis 0, axis 1, a NaN)',
      kernels: [FUSED_KERNELS.channelMinMax],
      evaluate: () => {
        const values = distinctMagnitudes(2 * rows * size, seed + 13).map((v) => v * 9);
        values[5] = Number.NaN;
        const x = tensorOf(values, [2, rows, size]);
        const out = [undefined, 0, 1, 2].flatMap((axis) => {
          const { min, max } = channelMinMax(x, axis);
          return [min, max];
        });
        x.dispose();
        return out;
      },
    },
    {
      name: 'invertedDropout',
      kernels: [FUSED_KERNELS.dropout],
      evaluate: () => {
        const x = seeded([rows, size, 3], seed + 14, 5);
        const target = seeded([rows, size, 3], seed + 15, 1);
        const out = valueAndGrads((input) => tf.sum(tf.mul(invertedDropout(input, 0.3, seed + 16), target)) as tf.Scalar, [x]);
        const mask = tf.tidy(() => Float32Array.from(invertedDropout(tf.onesLike(x), 0.1, 1234).dataSync() as Float32Array));
        tf.dispose([x, target]);
        return [...out, mask];
      },
    },
  ];
}

/**
 * The conformance checks of a backend's fused kernels ({@link FUSED_KERNELS}): on the active
 * backend, each fused op's value and gradients must equal those of its standard-op composition
 * (the same op with fused kernels turned off), over odd shapes and an ignored label. A check
 * fails when the backend does not register the kernel pair it covers.
 *
 * @example
 * ```ts
 * await initBackend({ backend: 'pofa-native' });
 * expect(runChecks(fusedKernelChecks())).toEqual([]);
 * ```
 */
export function fusedKernelChecks(options: FusedKernelCheckOptions = {}): ConformanceCheck[] {
  const tolerance = options.tolerance ?? 1e-5;
  return cases(options.seed ?? 5).map((testCase) => ({
    name: `${testCase.name} on the fused kernels equals its composition`,
    run: () => {
      if (!hasFusedKernels(...testCase.kernels)) return [`the backend '${tf.getBackend()}' does not register ${testCase.kernels.join(' and ')}`];
      const fused = testCase.evaluate();
      const previous = setFusedKernelsEnabled(false);
      let composite: Float32Array[];
      try {
        composite = testCase.evaluate();
      } finally {
        setFusedKernelsEnabled(previous);
      }
      return fused.flatMap((values, i) => {
        const worst = worstDifference(values, composite[i]);
        return worst <= tolerance ? [] : [`output ${i} differs from the composition by ${worst.toExponential(2)} (tolerance ${tolerance})`];
      });
    },
  }));
}

/**
 * Runs {@link fusedKernelChecks} and returns the failures.
 *
 * @example
 * ```ts
 * expect(checkFusedKernels()).toEqual([]);
 * ```
 */
export function checkFusedKernels(options: FusedKernelCheckOptions = {}): ConformanceFailure[] {
  return runChecks(fusedKernelChecks(options));
}
