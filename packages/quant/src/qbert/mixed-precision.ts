import { ConfigError, parseOptions, tf, type Module, type Parameter } from '@pofa/core';
import { z } from 'zod';
import { QUANTIZED_LINEAR_WEIGHTS, targetOptionsSchema } from '../qat/quant-targets';
import { allocateBits, type BitAllocation, type LayerAllocation } from './bit-allocation';
import { applyGroupWiseQuantization, groupSizeFor, groupWiseTransform, type GroupWiseQuantization } from './group-wise';
import { estimateHessianTraces, hessianTraceOptionsSchema } from './hessian-trace';

/**
 * Options of {@link planMixedPrecision}: the candidate bits, the size budget (bytes, or an
 * average number of bits per weight), the group-wise scheme the bits apply to, and the Hutchinson
 * settings (see `hessianTraceOptionsSchema` for `samples` and `epsilon`).
 *
 * @example
 * ```ts
 * mixedPrecisionOptionsSchema.parse({ bitChoices: [2, 4, 8], averageBits: 4, groups: 12 });
 * ```
 */
export const mixedPrecisionOptionsSchema = hessianTraceOptionsSchema
  .extend({
    bitChoices: z.array(z.number().int().min(2).max(16)).min(1).default([2, 4, 8]),
    budgetBytes: z.number().positive().optional(),
    /** Budget as bits per weight on average (budget = Σn · averageBits / 8). */
    averageBits: z.number().positive().optional(),
    groups: z.number().int().positive().optional(),
    groupSize: z.number().int().positive().optional(),
    targets: targetOptionsSchema.optional(),
  })
  .strict();

/**
 * Options of {@link planMixedPrecision}, as the caller writes them.
 *
 * @example
 * ```ts
 * const options: MixedPrecisionOptions = { loss, averageBits: 4, samples: 8 };
 * ```
 */
export type MixedPrecisionOptions = z.input<typeof mixedPrecisionOptionsSchema> & {
  /** The loss on a fixed batch (see `estimateHessianTraces`). */
  loss: (model: Module) => tf.Scalar;
};

/** One layer of a {@link MixedPrecisionReport}. */
export interface MixedPrecisionLayer extends LayerAllocation {
  traceStandardError: number;
  /** Tr(H)/n, the average Hessian eigenvalue HAWQ-V2 ranks by. */
  averageTrace: number;
  groupSize: number;
  /** ‖Q_b(W) − W‖² at each candidate bit width. */
  perturbation: Record<number, number>;
}

/** What {@link planMixedPrecision} returns: the bits per layer, as data. */
export interface MixedPrecisionReport extends Omit<BitAllocation, 'layers'> {
  layers: MixedPrecisionLayer[];
  /** The float32 bytes of the same weights. */
  float32Bytes: number;
  /** Weighted mean bits per weight. */
  averageBits: number;
  samples: number;
  epsilon: number;
}

/**
 * ‖Q_b(W) − W‖² of a parameter's effective weight (masks applied) quantized group-wise at `bits`.
 *
 * @example
 * ```ts
 * quantizationPerturbation(layer.weight, 4, 64); // squared error of 4-bit per-head quantization
 * ```
 */
export function quantizationPerturbation(parameter: Parameter, bits: number, groupSize: number): number {
  const transform = groupWiseTransform(bits, groupSize);
  return tf.tidy(() => {
    const weight = parameter.value();
    return tf.sum(tf.square(tf.sub(transform.apply(weight), weight))).dataSync()[0];
  });
}

/**
 * Q-BERT / HAWQ-V2 mixed precision: estimates each target layer's Hessian trace (Hutchinson),
 * measures the perturbation of quantizing it group-wise at each candidate bit width, and picks
 * the bits per layer minimising Σ (Tr(H)/n)·‖Q(W) − W‖² within the size budget (`allocateBits`).
 * The result is data; `formatMixedPrecisionReport` renders it, {@link applyMixedPrecision}
 * installs it.
 *
 * @example
 * ```ts
 * const report = planMixedPrecision(model, { loss: (m) => lossOn(m, batch), averageBits: 4, groups: 2, samples: 8 });
 * console.log(formatMixedPrecisionReport(report));
 * ```
 */
export function planMixedPrecision(model: Module, options: MixedPrecisionOptions): MixedPrecisionReport {
  const { loss, ...rest } = options;
  const settings = parseOptions(mixedPrecisionOptionsSchema, rest, 'mixed precision options', { rejectUnknownKeys: true });
  if ((settings.budgetBytes === undefined) === (settings.averageBits === undefined)) {
    throw new ConfigError('Give the size budget as budgetBytes or averageBits', {
      expected: 'exactly one of budgetBytes, averageBits',
      received: `budgetBytes ${settings.budgetBytes}, averageBits ${settings.averageBits}`,
    });
  }
  const targets = { include: settings.targets?.include ?? QUANTIZED_LINEAR_WEIGHTS, exclude: settings.targets?.exclude };
  const traces = estimateHessianTraces(model, { loss, targets, samples: settings.samples, epsilon: settings.epsilon, seed: settings.seed });
  const parameters = new Map(model.namedParameters());
  const details = traces.map((estimate) => {
    const parameter = parameters.get(estimate.name) as Parameter;
    const groupSize = groupSizeFor(estimate.name, parameter.shape[0], settings);
    const perturbation = Object.fromEntries(settings.bitChoices.map((bits) => [bits, quantizationPerturbation(parameter, bits, groupSize)]));
    return { estimate, groupSize, perturbation };
  });
  const totalWeights = traces.reduce((sum, estimate) => sum + estimate.parameterCount, 0);
  const budgetBytes = settings.budgetBytes ?? Math.floor((totalWeights * (settings.averageBits as number)) / 8);
  const allocation = allocateBits(
    details.map(({ estimate, perturbation }) => ({ name: estimate.name, parameterCount: estimate.parameterCount, trace: estimate.trace, perturbation })),
    { bitChoices: settings.bitChoices, budgetBytes },
  );
  const layers = allocation.layers.map((layer, index) => ({
    ...layer,
    traceStandardError: details[index].estimate.standardError,
    averageTrace: layer.trace / layer.parameterCount,
    groupSize: details[index].groupSize,
    perturbation: details[index].perturbation,
  }));
  return {
    ...allocation,
    layers,
    float32Bytes: totalWeights * 4,
    averageBits: layers.reduce((sum, layer) => sum + layer.bits * layer.parameterCount, 0) / totalWeights,
    samples: settings.samples,
    epsilon: settings.epsilon,
  };
}

/**
 * Installs a plan: group-wise weight fake quantization with each layer's chosen bits.
 *
 * @example
 * ```ts
 * const installed = applyMixedPrecision(model, report);
 * const accuracy = evaluateModel(model.eval());
 * installed.remove();
 * ```
 */
export function applyMixedPrecision(model: Module, report: MixedPrecisionReport): GroupWiseQuantization {
  const sizes = new Set(report.layers.map((layer) => layer.groupSize));
  const installed: GroupWiseQuantization[] = [...sizes].map((groupSize) => {
    const layers = report.layers.filter((layer) => layer.groupSize === groupSize);
    return applyGroupWiseQuantization(model, {
      groupSize,
      targets: { include: layers.map((layer) => layer.name) },
      bitsByLayer: Object.fromEntries(layers.map((layer) => [layer.name, layer.bits])),
    });
  });
  return {
    layers: installed.flatMap((part) => part.layers),
    remove: () => installed.forEach((part) => part.remove()),
  };
}
