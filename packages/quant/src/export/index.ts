export { exportInt8, writeInt8Safetensors, exportInt8OptionsSchema, type ExportInt8Options, type SafetensorsExport } from './export-int8';
export { dequantizeInt8 } from './dequantize-int8';
export { exportHalf } from './export-half';
export { quantizeParameter, type QuantizedWeight } from './quantized-weight';
export { effectiveValues } from '@pofa/core';
export { INT8_FORMAT, INT8_SUFFIXES } from './int8-names';
