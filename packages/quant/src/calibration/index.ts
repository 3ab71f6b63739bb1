export {
  calibrate,
  applyPostTrainingQuantization,
  postTrainingOptionsSchema,
  type ActivationRanges,
  type CalibrateOptions,
  type CalibrationResult,
} from './calibrate';
