export { UsageError } from './usage-error';
export { InterruptedError } from './interrupted-error';
export { OutputError } from './output-error';
