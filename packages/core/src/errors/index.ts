export { PofaError, describeValue, type PofaErrorDetails } from './pofa-error';
export { BackendError } from './backend-error';
export { ConfigError } from './config-error';
export { RegistryError } from './registry-error';
export { StateDictError } from './state-dict-error';
export { SafetensorsError } from './safetensors-error';
export { TrainingError } from './training-error';
export { CheckpointError } from './checkpoint-error';
export { ShapeError } from './shape-error';
