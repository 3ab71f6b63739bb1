export { MissingDatasetError } from './missing-dataset-error';
export {
  DATASET_PACKAGES,
  loadDatasetRecords,
  type ModuleImporter,
  type SotuRecord,
  type MobyDickRecord,
  type SpamAssassinRecord,
} from './dataset-packages';
export { normalizeWhitespace, splitSentences, packPassages, countWords, type PassageOptions } from './text-segmentation';
export { fnv1a, splitKeys, type SplitName, type SplitFractions } from './hashing';
export type {
  TextExample,
  LabelScale,
  EmbeddedTask,
  TaskStats,
  ClassificationSplitStats,
  RegressionSplitStats,
} from './types';
export { computeTaskStats } from './task-stats';
export { EmbeddedTaskOptionsSchema, type EmbeddedTaskOptions } from './task-options';
export { loadSotuSpeeches, SOTU_PASSAGE_OPTIONS, type SotuSpeech } from './sotu-speeches';
export { loadMobyDickChapters, type MobyDickChapter } from './moby-dick-paragraphs';
export { loadMlmCorpus, MlmCorpusOptionsSchema, type MlmCorpus, type MlmCorpusOptions, type MlmSplitStats } from './mlm-corpus';
export { loadSotuPartyTask, SOTU_PARTY_LABELS } from './sotu-party';
export { loadSotuYearTask } from './sotu-year';
export { loadSotuPairTask, SOTU_PAIR_LABELS } from './sotu-pair';
export {
  loadSpamTask,
  loadSpamAssassinEmails,
  SPAM_LABELS,
  SpamTaskOptionsSchema,
  type SpamTaskOptions,
  type SpamEmail,
} from './spam/spam-task';
export { parseMimeEntity, parseContentType, extractText, type MimeEntity, type ContentType } from './spam/mime-entity';
export { htmlToText, looksLikeHtml } from './spam/html-to-text';
export { decodeBytes, decodeQuotedPrintable, decodeBase64 } from './spam/transfer-decoding';
