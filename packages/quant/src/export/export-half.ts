import { effectiveValues, encodeHalfArray, type Module } from '@pofa/core';
import { QuantizationError } from '../errors/quantization-error';
import type { SafetensorsExport } from './export-int8';

/**
 * Exports every parameter's effective value (transforms applied: masks, fake quantization)
 * as F16 or BF16 safetensors entries (`Uint16Array` bit patterns, rounded to nearest even),
 * with metadata `pofa.format` = `half-v1` and `pofa.dtype`.
 *
 * @example
 * ```ts
 * const { tensors, metadata } = exportHalf(model, 'BF16');
 * await writeSafetensors('model-bf16.safetensors', tensors, metadata);
 * ```
 */
export function exportHalf(model: Module, dtype: 'F16' | 'BF16'): SafetensorsExport {
  if (dtype !== 'F16' && dtype !== 'BF16') {
    throw new QuantizationError('Unsupported half-precision type', { expected: '"F16" or "BF16"', received: String(dtype) });
  }
  const tensors: SafetensorsExport['tensors'] = {};
  for (const [name, parameter] of model.namedParameters()) {
    tensors[name] = { dtype, shape: [...parameter.shape], data: encodeHalfArray(effectiveValues(parameter), dtype) };
  }
  return { tensors, metadata: { 'pofa.format': 'half-v1', 'pofa.dtype': dtype } };
}
