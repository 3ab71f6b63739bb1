import { parseOptions, selectTargets, type Module, type Parameter } from '@pofa/core';
import { z } from 'zod';
import { QuantizationError } from '../errors/quantization-error';
import { createWeightFakeQuantTransform, type WeightFakeQuantTransform } from '../primitives/weight-fake-quant-transform';
import { QUANTIZED_LINEAR_WEIGHTS, targetOptionsSchema } from '../qat/quant-targets';

/**
 * Options of {@link applyGroupWiseQuantization}: Q-BERT's group-wise weight quantization
 * (Shen et al. 2020, §3.3). Each weight's output rows are cut into `groups` groups (or groups of
 * `groupSize` rows), each with its own range: `groups = numHeads` gives one range per head of
 * Q, K and V (`headDim` rows each). Without either, one range per row (per channel).
 *
 * @example
 * ```ts
 * groupWiseOptionsSchema.parse({ bits: 4, groups: 12 });
 * ```
 */
export const groupWiseOptionsSchema = z
  .object({
    bits: z.number().int().default(8),
    /** Groups per weight matrix (the rows must divide evenly). */
    groups: z.number().int().positive().optional(),
    /** Rows per group (an alternative to `groups`). */
    groupSize: z.number().int().positive().optional(),
    symmetric: z.boolean().default(true),
    narrowRange: z.boolean().default(true),
    /** The weights to quantize (default: encoder Linear layers and the task head). */
    targets: targetOptionsSchema.optional(),
    /** Bits per weight name, overriding `bits` (mixed precision). */
    bitsByLayer: z.record(z.string(), z.number().int()).optional(),
  })
  .strict();

/**
 * Options of {@link applyGroupWiseQuantization}, as the caller writes them.
 *
 * @example
 * ```ts
 * const options: GroupWiseOptions = { bits: 4, groups: 2, bitsByLayer: { 'encoder.layer.0.attention.self.query.weight': 8 } };
 * ```
 */
export type GroupWiseOptions = z.input<typeof groupWiseOptionsSchema>;

/** One weight quantized group-wise. */
export interface GroupWiseLayer {
  name: string;
  bits: number;
  /** Rows per group. */
  groupSize: number;
  transform: WeightFakeQuantTransform;
}

/**
 * The group-wise weight quantization on a model.
 *
 * @example
 * ```ts
 * const installed: GroupWiseQuantization = applyGroupWiseQuantization(model, { bits: 4, groups: 2 });
 * installed.remove();
 * ```
 */
export interface GroupWiseQuantization {
  readonly layers: readonly GroupWiseLayer[];
  /** Takes the transforms off the weights again. */
  remove(): void;
}

/**
 * The rows per group of a weight with `rows` output rows: `groupSize`, or `rows / groups`, or 1.
 * Throws a `QuantizationError` when the rows do not divide evenly.
 *
 * @example
 * ```ts
 * groupSizeFor('encoder.layer.0.attention.self.query.weight', 768, { groups: 12 }); // 64: one group per head
 * ```
 */
export function groupSizeFor(name: string, rows: number, options: { groups?: number; groupSize?: number }): number {
  const { groups, groupSize } = options;
  if (groups !== undefined && groupSize !== undefined) {
    throw new QuantizationError('Give groups or groupSize, not both', { expected: 'one of groups, groupSize', received: `groups ${groups}, groupSize ${groupSize}` });
  }
  const size = groupSize ?? (groups === undefined ? 1 : rows / groups);
  if (!Number.isInteger(size) || size < 1 || rows % size !== 0) {
    throw new QuantizationError(`The rows of ${name} do not split into the groups asked for`, {
      expected: `groups dividing its ${rows} output rows`,
      received: groups === undefined ? `groupSize ${groupSize}` : `${groups} groups`,
      hint: 'Use groups = the number of attention heads (or a divisor of every target width), or target fewer layers',
    });
  }
  return size;
}

/**
 * A weight fake-quantizer for one parameter at `bits`, with one range per group of `groupSize`
 * rows (symmetric narrow int by default).
 *
 * @example
 * ```ts
 * const transform = groupWiseTransform(4, 64);
 * ```
 */
export function groupWiseTransform(bits: number, groupSize: number, symmetric = true, narrowRange = true): WeightFakeQuantTransform {
  return createWeightFakeQuantTransform({ bits, symmetric, narrowRange, perChannel: true, ...(groupSize > 1 ? { groupSize } : {}) });
}

/**
 * Q-BERT group-wise quantization of weights: appends a fake-quantizer with one range per group of
 * output rows to every target weight (after any mask, so sparsity holds), at `bits` or the
 * layer's entry in `bitsByLayer`. Activations are left alone (use QAT or `calibrate` for them).
 *
 * @example
 * ```ts
 * // 4-bit weights with one range per head in every encoder layer of a 12-head model
 * const installed = applyGroupWiseQuantization(model, { bits: 4, groups: 12 });
 * const accuracy = evaluateModel(model.eval());
 * installed.remove();
 * ```
 */
export function applyGroupWiseQuantization(model: Module, options: GroupWiseOptions): GroupWiseQuantization {
  const settings = parseOptions(groupWiseOptionsSchema, options, 'group-wise quantization options', { rejectUnknownKeys: true });
  const selected: Array<[string, Parameter]> = selectTargets(model, { include: settings.targets?.include ?? QUANTIZED_LINEAR_WEIGHTS, exclude: settings.targets?.exclude });
  const unknown = Object.keys(settings.bitsByLayer ?? {}).filter((name) => !selected.some(([selectedName]) => selectedName === name));
  if (unknown.length > 0) {
    throw new QuantizationError('bitsByLayer names weights that are not targets', {
      expected: `names among ${selected.map(([name]) => name).slice(0, 4).join(', ')}...`,
      received: unknown.join(', '),
    });
  }
  const planned = selected.map(([name, parameter]) => {
    if (parameter.shape.length !== 2) {
      throw new QuantizationError(`Cannot quantize ${name} group-wise`, { expected: 'a 2-D [out, in] weight', received: `shape [${parameter.shape.join(', ')}]` });
    }
    return { name, parameter, bits: settings.bitsByLayer?.[name] ?? settings.bits, groupSize: groupSizeFor(name, parameter.shape[0], settings) };
  });
  const layers = planned.map(({ name, parameter, bits, groupSize }) => {
    const transform = groupWiseTransform(bits, groupSize, settings.symmetric, settings.narrowRange);
    parameter.addTransform(transform);
    return { name, bits, groupSize, transform, parameter };
  });
  return {
    layers: layers.map(({ parameter: _, ...layer }) => layer),
    remove: () => layers.forEach(({ parameter, transform }) => parameter.removeTransform(transform)),
  };
}
