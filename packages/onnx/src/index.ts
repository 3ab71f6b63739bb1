export { buildOnnxModel, buildOnnxModelFromStateDict, exportOnnx, ONNX_OPSET, type OnnxExportOptions } from './export-onnx';
export { onnxEncoderConfigSchema, type OnnxEncoderConfig } from './encoder-source';
export { ONNX_IR_VERSION } from './onnx-model';
export { OnnxExportError } from './onnx-export-error';
