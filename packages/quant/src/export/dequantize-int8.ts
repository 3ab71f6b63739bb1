import type { RawTensor } from '@pofa/core';
import { QuantizationError } from '../errors/quantization-error';
import { dequantizeValue } from '../primitives/scalar-quantize';
import { INT8_SUFFIXES } from './int8-names';

const AUXILIARY = [INT8_SUFFIXES.weightScale, INT8_SUFFIXES.weightZeroPoint, INT8_SUFFIXES.inputScale, INT8_SUFFIXES.inputZeroPoint];

/**
 * Turns the tensors of an int8 export back into float32 weights: each I8 `<module>.weight`
 * becomes `fround((q − zero_point) · scale)` with its `weight_scale` / `weight_zero_point`
 * (per row when they have one entry per row); F32 tensors pass through; the scale, zero-point
 * and input-range tensors are dropped.
 *
 * @example
 * ```ts
 * const { tensors } = exportInt8(model);
 * const floats = dequantizeInt8(tensors);
 * floats['encoder.layer.0.output.dense.weight'].dtype; // 'F32'
 * ```
 */
export function dequantizeInt8(tensors: Record<string, RawTensor>): Record<string, RawTensor> {
  const out: Record<string, RawTensor> = {};
  for (const [name, tensor] of Object.entries(tensors)) {
    if (AUXILIARY.some((suffix) => name.endsWith(suffix))) continue;
    if (tensor.dtype !== 'I8') {
      out[name] = tensor;
      continue;
    }
    const module = name.slice(0, -INT8_SUFFIXES.weight.length);
    const scale = tensors[`${module}${INT8_SUFFIXES.weightScale}`];
    const zeroPoint = tensors[`${module}${INT8_SUFFIXES.weightZeroPoint}`];
    if (!name.endsWith(INT8_SUFFIXES.weight) || scale?.dtype !== 'F32' || zeroPoint === undefined || scale.data.length !== zeroPoint.data.length) {
      throw new QuantizationError(`Cannot dequantize ${name}`, {
        expected: `an I8 "<module>.weight" with F32 "${module}.weight_scale" and I32 "${module}.weight_zero_point" of one shape`,
        received: `scale ${scale === undefined ? 'missing' : `${scale.dtype} [${scale.shape.join(', ')}]`}, zero point ${zeroPoint === undefined ? 'missing' : `[${zeroPoint.shape.join(', ')}]`}`,
        hint: 'Pass the tensors of exportInt8 or of a file written by writeInt8Safetensors',
      });
    }
    const rows = scale.data.length;
    const inner = tensor.data.length / rows;
    const data = new Float32Array(tensor.data.length);
    for (let i = 0; i < data.length; i++) {
      const row = Math.floor(i / inner);
      data[i] = dequantizeValue(Number(tensor.data[i]), Number(scale.data[row]), Number(zeroPoint.data[row]));
    }
    out[name] = { dtype: 'F32', shape: [...tensor.shape], data };
  }
  return out;
}
