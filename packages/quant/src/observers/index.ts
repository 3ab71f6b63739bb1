export { createObserver, type QuantObserver, type ObserverState } from './create-observer';
export { observerOptionsSchema, OBSERVER_KINDS, type ObserverKind, type ObserverOptions } from './observer-options';
export { percentileOfSorted, percentileRange } from './percentile';
export { mseRange, quantizationError, type MseScheme } from './mse-search';
export { sliceValues, sliceMinMax } from './slice-values';
