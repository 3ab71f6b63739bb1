export { DataFormatError } from './data-format-error';
export { MetricInputError } from './metric-input-error';
