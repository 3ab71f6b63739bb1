/**
 * The value of the `pofa.format` metadata key of an int8 export.
 *
 * @example
 * ```ts
 * if (metadata['pofa.format'] === INT8_FORMAT) console.log('an int8 pofa export');
 * ```
 */
export const INT8_FORMAT = 'int8-v1';

/**
 * The suffixes of the tensors an int8 export writes for a quantized Linear module `<module>`:
 * `<module>.weight` (I8 `[out, in]`), `<module>.weight_scale` (F32 `[out]` per channel or `[]`),
 * `<module>.weight_zero_point` (I32, same shape as the scale), and, when an activation range is
 * given, `<module>.input_scale` (F32 `[]`) and `<module>.input_zero_point` (I32 `[]`, uint8
 * asymmetric). `real = (q − zero_point) · scale`.
 *
 * @example
 * ```ts
 * tensors[`encoder.layer.0.output.dense${INT8_SUFFIXES.weightScale}`]; // F32 [hidden]
 * ```
 */
export const INT8_SUFFIXES = {
  weight: '.weight',
  weightScale: '.weight_scale',
  weightZeroPoint: '.weight_zero_point',
  inputScale: '.input_scale',
  inputZeroPoint: '.input_zero_point',
} as const;
