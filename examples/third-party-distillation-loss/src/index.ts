export { jensenShannonLoss, jensenShannonOptionsSchema, type JensenShannonOptions } from './jensen-shannon-loss';
export { register } from './register';
