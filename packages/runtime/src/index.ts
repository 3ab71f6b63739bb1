export { PipelineError } from './pipeline-error';
export { bundleTokenizerOf, createBundleTokenizer } from './bundle-tokenizer';
export { prepareSquadTokenizer, type PreparedSquadTokenizer } from './squad-tokenizer';
export {
  pipeline,
  pipelineTaskOf,
  PIPELINE_TASKS,
  type PipelineTask,
  type PipelineOf,
  type PipelineInfo,
  type ClassifyOptions,
  type TextClassificationPipeline,
  type TextPairClassificationPipeline,
  type RegressionPipeline,
  type QuestionAnsweringPipeline,
} from './pipelines/pipeline';
export { loadPipelineModel, bundleTaskOf, forwardInBatches, pipelineOptionsSchema, type PipelineModel, type PipelineOptions, type EncodedRow, type BatchLogits } from './pipelines/pipeline-model';
export { textList, pairList, textOrPairList, questionList, requireText, type TextPair, type QuestionContext } from './pipelines/pipeline-inputs';
export { topLabels, sequenceLogits, type ClassificationLabel, type RegressionValue } from './pipelines/sequence-pipelines';
export { answerQuestions, type Answer } from './pipelines/question-answering';
