export {
  createInputFakeQuantTransform,
  inputFakeQuantOptionsSchema,
  INPUT_FAKE_QUANT_KIND,
  type InputFakeQuantOptions,
  type InputFakeQuantMode,
  type InputFakeQuantTransform,
} from './input-fake-quantize';
export {
  quantTargets,
  targetOptionsSchema,
  QUANTIZED_LINEAR_WEIGHTS,
  TASK_HEAD_WEIGHTS,
  EMBEDDING_WEIGHTS,
  type QuantTarget,
} from './quant-targets';
export {
  installFakeQuantization,
  weightSchemeSchema,
  type WeightScheme,
  type InstallFakeQuantizationOptions,
  type InstalledFakeQuantization,
  type FakeQuantizedLayer,
} from './install-fake-quantization';
export { createQatModifier, qatOptionsSchema, QAT_MODIFIER_KIND, type QatOptions, type QatModifier } from './create-qat-modifier';
export { registerQuantization, qatModifierFactory } from './register-quantization';
