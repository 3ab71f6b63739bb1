import { effectiveValues, type Module, type RawTensor, type TargetOptions, parseOptions, selectTargets, writeSafetensors } from '@pofa/core';
import { QUANTIZED_LINEAR_WEIGHTS } from '../qat/quant-targets';
import { z } from 'zod';
import { QuantizationError } from '../errors/quantization-error';
import { quantParams } from '../primitives/quant-params';
import { INT8_FORMAT, INT8_SUFFIXES } from './int8-names';
import { quantizeParameter } from './quantized-weight';

/**
 * Options of {@link exportInt8}.
 *
 * @example
 * ```ts
 * exportInt8OptionsSchema.parse({ activationRanges: { 'encoder.layer.0.output.dense': { min: -3, max: 5 } } });
 * ```
 */
export const exportInt8OptionsSchema = z.object({
  /** The weights to quantize (core's `selectTargets`; default QAT's: the encoder Linear weights and the task head). */
  targets: z.custom<TargetOptions>((value) => typeof value === 'object' && value !== null).optional(),
  /** Per output row (default) or per tensor, for weights without a fake-quantizer of their own. */
  perChannel: z.boolean().default(true),
  /** Input ranges of quantized Linear modules (by module path), from calibration or QAT observers. */
  activationRanges: z.record(z.string(), z.object({ min: z.number(), max: z.number() })).optional(),
});

/**
 * Options of {@link exportInt8} as given.
 *
 * @example
 * ```ts
 * const options: ExportInt8Options = { perChannel: false, targets: { include: ['**.dense.weight'] } };
 * ```
 */
export type ExportInt8Options = z.input<typeof exportInt8OptionsSchema>;

/**
 * Tensors and `__metadata__` of a safetensors file.
 *
 * @example
 * ```ts
 * const { tensors, metadata }: SafetensorsExport = exportInt8(model);
 * await writeSafetensors('model.safetensors', tensors, metadata);
 * ```
 */
export interface SafetensorsExport {
  tensors: Record<string, RawTensor>;
  metadata: Record<string, string>;
}

/**
 * Exports a model with int8 weights (names in the package README):
 * - each target weight `<module>.weight` as I8 `[out, in]`: its effective weight (every
 *   transform applied: the mask, then the quantization — with the parameter's own
 *   fake-quantizer, or symmetric narrow int8 per channel / per tensor);
 * - `<module>.weight_scale` F32 `[out]` (per channel; group-wise scales repeated per row) or `[]`,
 *   and `<module>.weight_zero_point` I32 of the same shape;
 * - with `activationRanges`, `<module>.input_scale` F32 `[]` and `<module>.input_zero_point`
 *   I32 `[]` (uint8 asymmetric);
 * - every other parameter (biases, LayerNorm, embeddings) as F32, effective value.
 * Metadata: `pofa.format` = `int8-v1`, `pofa.quantization` = the scheme as JSON.
 * `dequantizeInt8(tensors)` gives back the fake-quantized effective weights bit for bit.
 *
 * @example
 * ```ts
 * const { tensors, metadata } = exportInt8(model, { activationRanges });
 * await writeSafetensors('model-int8.safetensors', tensors, metadata);
 * ```
 */
export function exportInt8(model: Module, options: ExportInt8Options = {}): SafetensorsExport {
  const settings = parseOptions(exportInt8OptionsSchema, options, 'exportInt8 options', { rejectUnknownKeys: true });
  const targets = new Map(selectTargets(model, settings.targets ?? { include: QUANTIZED_LINEAR_WEIGHTS }));
  const modules: Record<string, unknown> = {};
  const tensors: Record<string, RawTensor> = {};
  for (const [name, parameter] of model.namedParameters()) {
    if (!targets.has(name)) {
      tensors[name] = { dtype: 'F32', shape: [...parameter.shape], data: effectiveValues(parameter) };
      continue;
    }
    if (!name.endsWith(INT8_SUFFIXES.weight) || parameter.shape.length !== 2) {
      throw new QuantizationError(`Cannot export ${name} as an int8 Linear weight`, {
        expected: 'a 2-D `<module>.weight` parameter',
        received: `shape [${parameter.shape.join(', ')}]`,
        hint: 'Narrow `targets` to Linear weights',
      });
    }
    const module = name.slice(0, -INT8_SUFFIXES.weight.length);
    const { values, resolved, params, shape } = quantizeParameter(name, parameter, settings.perChannel);
    if (params.quantMin < -128 || params.quantMax > 127) {
      throw new QuantizationError(`The weight quantization of ${name} does not fit int8`, {
        expected: 'an integer range within [-128, 127] (signed, at most 8 bits)',
        received: `[${params.quantMin}, ${params.quantMax}]`,
        hint: 'Use a signed fake-quantizer of at most 8 bits, or exportHalf for 16-bit weights',
      });
    }
    const scaleShape = resolved.axis === undefined ? [] : [shape[0]];
    tensors[`${module}${INT8_SUFFIXES.weight}`] = { dtype: 'I8', shape, data: Int8Array.from(values) };
    tensors[`${module}${INT8_SUFFIXES.weightScale}`] = { dtype: 'F32', shape: scaleShape, data: Float32Array.from(resolved.scales) };
    tensors[`${module}${INT8_SUFFIXES.weightZeroPoint}`] = { dtype: 'I32', shape: scaleShape, data: Int32Array.from(resolved.zeroPoints) };
    modules[module] = { quantMin: params.quantMin, quantMax: params.quantMax, perChannel: resolved.axis !== undefined, ...(params.groupSize === undefined ? {} : { groupSize: params.groupSize }) };
  }
  const activations: Record<string, unknown> = {};
  for (const [module, range] of Object.entries(settings.activationRanges ?? {})) {
    if (modules[module] === undefined) {
      throw new QuantizationError(`An activation range names ${module}, which is not a quantized module`, {
        expected: `one of ${Object.keys(modules).slice(0, 6).join(', ')}${Object.keys(modules).length > 6 ? ', ...' : ''}`,
        received: module,
        hint: 'Key activation ranges by the Linear module path (the weight name without ".weight")',
      });
    }
    const input = quantParams({ ...range, bits: 8, symmetric: false });
    tensors[`${module}${INT8_SUFFIXES.inputScale}`] = { dtype: 'F32', shape: [], data: Float32Array.of(input.scale as number) };
    tensors[`${module}${INT8_SUFFIXES.inputZeroPoint}`] = { dtype: 'I32', shape: [], data: Int32Array.of(input.zeroPoint as number) };
    activations[module] = { quantMin: input.quantMin, quantMax: input.quantMax, min: range.min, max: range.max };
  }
  const scheme = {
    weights: { dtype: 'I8', formula: 'real = (q - zero_point) * scale', axis: 0, rounding: 'half-to-even of x * fround(1 / scale)', modules },
    activations: { dtype: 'U8', symmetric: false, modules: activations },
  };
  return { tensors, metadata: { 'pofa.format': INT8_FORMAT, 'pofa.quantization': JSON.stringify(scheme) } };
}

/**
 * Writes {@link exportInt8}'s tensors and metadata to a safetensors file (atomically, via
 * core's `writeSafetensors`).
 *
 * @example
 * ```ts
 * await writeInt8Safetensors('out/model-int8.safetensors', model, { perChannel: true });
 * ```
 */
export async function writeInt8Safetensors(path: string, model: Module, options: ExportInt8Options = {}): Promise<void> {
  const { tensors, metadata } = exportInt8(model, options);
  await writeSafetensors(path, tensors, metadata);
}
