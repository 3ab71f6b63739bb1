import type { RawTensor } from '@pofa/core';
import { INT8_SUFFIXES } from '@pofa/quant';
import { OnnxExportError } from './onnx-export-error';

/** The uint8 quantization of a Linear's input: `q = clamp(round(x / scale) + zeroPoint, 0, 255)`. */
export interface InputQuantization {
  scale: number;
  zeroPoint: number;
}

/** One int8 Linear of an int8 export (`exportInt8` of `@pofa/quant`), by module path. */
export interface Int8Linear {
  /** The weight as stored: int8 `[out, in]`, row-major. */
  weight: Int8Array;
  shape: [number, number];
  /** One scale (per tensor) or one per output row. */
  scale: Float32Array;
  zeroPoint: Int8Array;
  /** The input's uint8 quantization (QAT observers, calibration), or undefined: float input. */
  input?: InputQuantization;
}

function invalid(module: string, expected: string, received: string): OnnxExportError {
  return new OnnxExportError(`The int8 tensors of ${module} do not fit together`, { expected, received, hint: 'Pass the tensors of exportInt8, or a model-int8.safetensors that pofa wrote' });
}

const describe = (tensor: RawTensor | undefined): string => (tensor === undefined ? 'missing' : `${tensor.dtype} [${tensor.shape.join(', ')}]`);

function integers(tensor: RawTensor, module: string, name: string, low: number, high: number): number[] {
  const values = Array.from(tensor.data as Int32Array, Number);
  const outside = values.find((value) => !(Number.isInteger(value) && value >= low && value <= high));
  if (outside !== undefined) throw invalid(module, `${name} integers in [${low}, ${high}]`, String(outside));
  return values;
}

function inputQuantization(tensors: Record<string, RawTensor>, module: string): InputQuantization | undefined {
  const scale = tensors[`${module}${INT8_SUFFIXES.inputScale}`];
  const zeroPoint = tensors[`${module}${INT8_SUFFIXES.inputZeroPoint}`];
  if (scale === undefined && zeroPoint === undefined) return undefined;
  if (scale?.dtype !== 'F32' || scale.data.length !== 1 || zeroPoint?.dtype !== 'I32' || zeroPoint.data.length !== 1) {
    throw invalid(module, 'an F32 input_scale and an I32 input_zero_point, one value each', `input_scale ${describe(scale)}, input_zero_point ${describe(zeroPoint)}`);
  }
  const value = Number(scale.data[0]);
  if (!(Number.isFinite(value) && value > 0)) throw invalid(module, 'a finite positive input_scale', String(value));
  return { scale: value, zeroPoint: integers(zeroPoint, module, 'input_zero_point (uint8)', 0, 255)[0] };
}

/**
 * The int8 Linear layers of an int8 export (`exportInt8(model).tensors`, or a
 * `model-int8.safetensors` read with `readSafetensorsRaw`), by module path: each I8
 * `<module>.weight` with its `weight_scale` / `weight_zero_point` (per tensor or per row) and,
 * when present, its uint8 `input_scale` / `input_zero_point`. Tensors that do not fit together
 * throw an `OnnxExportError`.
 *
 * @example
 * ```ts
 * const linears = int8Linears(exportInt8(model, { activationRanges }).tensors);
 * linears.get('encoder.layer.0.attention.self.query')?.input; // { scale, zeroPoint }
 * ```
 */
export function int8Linears(tensors: Record<string, RawTensor>): Map<string, Int8Linear> {
  const linears = new Map<string, Int8Linear>();
  for (const [name, tensor] of Object.entries(tensors)) {
    if (tensor.dtype !== 'I8') continue;
    if (!name.endsWith(INT8_SUFFIXES.weight) || tensor.shape.length !== 2) throw invalid(name, 'an I8 tensor named <module>.weight of shape [out, in]', `${name} ${describe(tensor)}`);
    const module = name.slice(0, -INT8_SUFFIXES.weight.length);
    const [rows, columns] = tensor.shape;
    const scale = tensors[`${module}${INT8_SUFFIXES.weightScale}`];
    const zeroPoint = tensors[`${module}${INT8_SUFFIXES.weightZeroPoint}`];
    const fits = (entry: RawTensor | undefined, dtype: string) => entry?.dtype === dtype && (entry.data.length === 1 || (entry.data.length === rows && entry.shape.length === 1));
    if (!fits(scale, 'F32') || !fits(zeroPoint, 'I32') || scale?.data.length !== zeroPoint?.data.length) {
      throw invalid(module, `an F32 weight_scale and an I32 weight_zero_point, both [] or both [${rows}]`, `weight_scale ${describe(scale)}, weight_zero_point ${describe(zeroPoint)}`);
    }
    const scales = Float32Array.from(scale!.data as Float32Array);
    if (scales.some((value) => !(Number.isFinite(value) && value > 0))) throw invalid(module, 'finite positive weight scales', Array.from(scales).join(', '));
    const input = inputQuantization(tensors, module);
    linears.set(module, {
      weight: tensor.data as Int8Array,
      shape: [rows, columns],
      scale: scales,
      zeroPoint: Int8Array.from(integers(zeroPoint!, module, 'weight_zero_point (int8)', -128, 127)),
      ...(input === undefined ? {} : { input }),
    });
  }
  for (const name of Object.keys(tensors)) {
    if (!name.endsWith(INT8_SUFFIXES.inputScale)) continue;
    const module = name.slice(0, -INT8_SUFFIXES.inputScale.length);
    if (!linears.has(module)) throw invalid(module, `an I8 ${module}.weight beside its input_scale`, 'none');
  }
  return linears;
}
