export { createL1Penalty, l1PenaltyFactory, l1PenaltyOptionsSchema, type L1PenaltyOptions } from './l1-penalty';
export { register } from './register';
