export { writeSyntheticCheckpoint, type SyntheticCheckpointOptions } from './synthetic-checkpoint';
