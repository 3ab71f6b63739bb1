import { FUSED_KERNELS, tf } from '@pofa/core';
import { allocateOutput } from './buffer-pool';
import { float32Output, requireStoredValues } from './cpu-storage';
import type { FusedTrainingAddon } from './training-addon';

type Inputs = Record<string, tf.TensorInfo>;

/** A float32 input of a fused kernel, read in place. */
const floats = (backend: unknown, info: tf.TensorInfo) => requireStoredValues(backend, info, 'float32');

/** The size of the last dimension and the number of rows before it. */
function rowsAndCols(shape: number[]): [number, number] {
  const cols = shape.length === 0 ? 1 : shape[shape.length - 1];
  return [cols === 0 ? 0 : tf.util.sizeFromShape(shape) / cols, cols];
}

/**
 * The kernels of `@pofa/core`'s FUSED_KERNELS on the addon, keyed by kernel name: the
 * forward and gradient halves of softmax cross-entropy, layer normalisation and GELU, the
 * AdamW update, and (in builds that have them) fake quantization, per-channel min/max and dropout. Each reads its float32 inputs in place and writes fresh outputs.
 *
 * @example
 * ```ts
 * for (const [name, kernelFunc] of Object.entries(fusedKernelFunctions(addon))) tf.registerKernel({ kernelName: name, backendName: 'pofa-native', kernelFunc });
 * ```
 */
export function fusedKernelFunctions(addon: FusedTrainingAddon): Record<string, tf.KernelFunc> {
  const kernels: Record<string, tf.KernelFunc> = {
    ...quantizationAndDropoutKernels(addon),
    [FUSED_KERNELS.softmaxCrossEntropy]: ({ inputs, backend }) => {
      const { logits, labels } = inputs as unknown as Inputs;
      const [rows, cols] = rowsAndCols(logits.shape);
      const rowLoss = allocateOutput(backend, rows);
      const lse = allocateOutput(backend, rows);
      if (rows > 0) addon.fusedSoftmaxXent(floats(backend, logits), requireStoredValues(backend, labels, 'int32'), rows, cols, rowLoss, lse);
      return [float32Output(backend, [rows], rowLoss), float32Output(backend, [rows], lse)];
    },
    [FUSED_KERNELS.softmaxCrossEntropyGrad]: ({ inputs, backend }) => {
      const { logits, labels, logSumExp, scale } = inputs as unknown as Inputs;
      const [rows, cols] = rowsAndCols(logits.shape);
      const out = allocateOutput(backend, rows * cols);
      if (out.length > 0) addon.fusedSoftmaxXentGrad(floats(backend, logits), requireStoredValues(backend, labels, 'int32'), floats(backend, logSumExp), floats(backend, scale), rows, cols, out);
      return float32Output(backend, logits.shape, out);
    },
    [FUSED_KERNELS.layerNorm]: ({ inputs, backend, attrs }) => {
      const { x, gamma, beta } = inputs as unknown as Inputs;
      const [rows, cols] = rowsAndCols(x.shape);
      const y = allocateOutput(backend, rows * cols);
      const mean = allocateOutput(backend, rows);
      const rstd = allocateOutput(backend, rows);
      const epsilon = (attrs as unknown as { epsilon: number }).epsilon;
      if (y.length > 0) addon.fusedLayerNorm(floats(backend, x), floats(backend, gamma), floats(backend, beta), rows, cols, epsilon, y, mean, rstd);
      return [float32Output(backend, x.shape, y), float32Output(backend, [rows], mean), float32Output(backend, [rows], rstd)];
    },
    [FUSED_KERNELS.layerNormGrad]: ({ inputs, backend }) => {
      const { dy, x, gamma, mean, rstd } = inputs as unknown as Inputs;
      const [rows, cols] = rowsAndCols(x.shape);
      const dx = allocateOutput(backend, rows * cols);
      const dgamma = allocateOutput(backend, cols);
      const dbeta = allocateOutput(backend, cols);
      if (dx.length > 0) addon.fusedLayerNormGrad(floats(backend, dy), floats(backend, x), floats(backend, gamma), floats(backend, mean), floats(backend, rstd), rows, cols, dx, dgamma, dbeta);
      return [float32Output(backend, x.shape, dx), float32Output(backend, [cols], dgamma), float32Output(backend, [cols], dbeta)];
    },
    [FUSED_KERNELS.gelu]: ({ inputs, backend }) => {
      const { x } = inputs as unknown as Inputs;
      const values = floats(backend, x);
      const out = allocateOutput(backend, values.length);
      addon.fusedGelu(0, values, values, out);
      return float32Output(backend, x.shape, out);
    },
    [FUSED_KERNELS.geluGrad]: ({ inputs, backend }) => {
      const { dy, x } = inputs as unknown as Inputs;
      const out = allocateOutput(backend, tf.util.sizeFromShape(x.shape));
      addon.fusedGelu(1, floats(backend, dy), floats(backend, x), out);
      return float32Output(backend, x.shape, out);
    },
    [FUSED_KERNELS.adamW]: ({ inputs, backend, attrs }) => {
      const { param, grad, expAvg, expAvgSq } = inputs as unknown as Inputs;
      const k = attrs as unknown as Record<string, number>;
      const constants = Float32Array.from([k.beta1, k.oneMinusBeta1, k.beta2, k.oneMinusBeta2, k.keep, k.biasCorrection2Sqrt, k.eps, k.stepSize, k.gradientScale ?? 1]);
      const size = tf.util.sizeFromShape(param.shape);
      const outs = [allocateOutput(backend, size), allocateOutput(backend, size), allocateOutput(backend, size)];
      addon.fusedAdamW(floats(backend, param), floats(backend, grad), floats(backend, expAvg), floats(backend, expAvgSq), constants, outs[0], outs[1], outs[2]);
      return outs.map((values) => float32Output(backend, param.shape, values));
    },
  };
  // A build from before the fused quantization kernels reads 8 AdamW constants and would ignore
  // the gradient scale: leave AdamW to its composition there.
  if (addon.fusedDropout === undefined) delete kernels[FUSED_KERNELS.adamW];
  return kernels;
}

/** Fake quantization, per-channel min/max and dropout, where the addon was built with them. */
function quantizationAndDropoutKernels(addon: FusedTrainingAddon): Record<string, tf.KernelFunc> {
  const { fusedFakeQuantize, fusedChannelMinMax, fusedDropout } = addon;
  if (fusedFakeQuantize === undefined || fusedChannelMinMax === undefined || fusedDropout === undefined) return {};
  return {
    [FUSED_KERNELS.fakeQuantize]: ({ inputs, backend, attrs }) => {
      const { x, scale, inverseScale, zeroPoint } = inputs as unknown as Inputs;
      const k = attrs as unknown as { channels: number; inner: number; quantMin: number; quantMax: number };
      const size = tf.util.sizeFromShape(x.shape);
      const out = allocateOutput(backend, size);
      const mask = allocateOutput(backend, size);
      const outside = fusedFakeQuantize(floats(backend, x), floats(backend, scale), floats(backend, inverseScale), floats(backend, zeroPoint), k.channels, k.inner, k.quantMin, k.quantMax, out, mask);
      const count = allocateOutput(backend, 1);
      count[0] = outside;
      return [float32Output(backend, x.shape, out), float32Output(backend, x.shape, mask), float32Output(backend, [1], count)];
    },
    [FUSED_KERNELS.channelMinMax]: ({ inputs, backend, attrs }) => {
      const { x } = inputs as unknown as Inputs;
      const k = attrs as unknown as { channels: number; inner: number };
      const min = allocateOutput(backend, k.channels);
      const max = allocateOutput(backend, k.channels);
      fusedChannelMinMax(floats(backend, x), k.channels, k.inner, min, max);
      return [float32Output(backend, [k.channels], min), float32Output(backend, [k.channels], max)];
    },
    [FUSED_KERNELS.dropout]: ({ inputs, backend, attrs }) => {
      const { x } = inputs as unknown as Inputs;
      const k = attrs as unknown as { seed: number; rate: number; scale: number };
      const size = tf.util.sizeFromShape(x.shape);
      const out = allocateOutput(backend, size);
      const mask = allocateOutput(backend, size);
      fusedDropout(floats(backend, x), k.seed, k.rate, k.scale, out, mask);
      return [float32Output(backend, x.shape, out), float32Output(backend, x.shape, mask)];
    },
  };
}
