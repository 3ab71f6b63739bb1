export { movementPruning, movementPruningOptionsSchema, type MovementPruningOptions } from './movement-pruning';
export { accumulateMovementScores } from './movement-scores';
export { register } from './register';
