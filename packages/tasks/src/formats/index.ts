export { loadGlueTask, resolveGlueTaskName, LoadGlueOptionsSchema, type LoadGlueOptions, type GlueSplit, type DatasetExample } from './glue';
export { GLUE_LAYOUTS, type GlueLayout, type GlueSplitLayout, type GlueColumn } from './glue-layouts';
export { GLUE_TASK_NAMES, GlueTaskNameSchema, type GlueTaskName } from './glue-task-name';
export { readTsvLines, splitTsv, type TsvLine } from './tsv-lines';
export { loadSquad, parseSquad, type SquadDataset, type SquadExample } from './squad';
export { createSquadFeatures, SquadFeatureOptionsSchema, type SquadFeature, type SquadFeatureOptions } from './squad-features';
export {
  postprocessSquad,
  bestSquadSpans,
  type SquadSpan,
  SquadPostprocessOptionsSchema,
  type SquadPostprocessOptions,
  type SquadPostprocessFeature,
} from './squad-postprocess';
export type { TokenizerLike, TokenizedText } from './tokenizer-like';
export { loadUserData, LoadUserDataOptionsSchema, type LoadUserDataOptions, type UserData } from './user-data';
