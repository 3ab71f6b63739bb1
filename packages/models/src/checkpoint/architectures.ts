import { CheckpointError } from '@pofa/core';
import type { TaskName } from '../features';

/** The two model families pofa implements. */
export type ModelFamily = 'bert' | 'distilbert';

/** What an architecture name in `config.json` means for pofa. */
export interface ArchitectureInfo {
  family: ModelFamily;
  task: TaskName;
  /** Said in the load result when the checkpoint carries parts pofa drops. */
  note?: string;
}

/** The Hugging Face architectures {@link loadPretrained} reads, by `architectures[0]`. */
export const ARCHITECTURES: Readonly<Record<string, ArchitectureInfo>> = {
  BertModel: { family: 'bert', task: 'base' },
  BertForMaskedLM: { family: 'bert', task: 'masked-lm' },
  BertForPreTraining: {
    family: 'bert',
    task: 'masked-lm',
    note: 'BertForPreTraining: loaded its masked LM part; the next-sentence head (cls.seq_relationship) and the pooler are not used',
  },
  BertForSequenceClassification: { family: 'bert', task: 'sequence-classification' },
  BertForQuestionAnswering: { family: 'bert', task: 'question-answering' },
  DistilBertModel: { family: 'distilbert', task: 'base' },
  DistilBertForMaskedLM: { family: 'distilbert', task: 'masked-lm' },
  DistilBertForSequenceClassification: { family: 'distilbert', task: 'sequence-classification' },
  DistilBertForQuestionAnswering: { family: 'distilbert', task: 'question-answering' },
};

/**
 * The family and task of a checkpoint from its config: `architectures[0]` when present,
 * else `model_type` with the bare encoder. An explicit `task` overrides the architecture's
 * head (the family still comes from the config). `source` (the config file's path) is named
 * in the error an unsupported checkpoint gets.
 *
 * @example
 * ```ts
 * resolveArchitecture({ architectures: ['BertForMaskedLM'], model_type: 'bert' }); // { family: 'bert', task: 'masked-lm' }
 * ```
 */
export function resolveArchitecture(config: Record<string, unknown>, task?: TaskName, source = 'config.json'): ArchitectureInfo {
  const architectures = Array.isArray(config.architectures) ? (config.architectures as unknown[]) : [];
  const name = typeof architectures[0] === 'string' ? architectures[0] : undefined;
  const known = name === undefined ? undefined : ARCHITECTURES[name];
  const modelType = config.model_type;
  const family: ModelFamily | undefined =
    known?.family ?? (modelType === 'bert' ? 'bert' : modelType === 'distilbert' ? 'distilbert' : undefined);
  if (family === undefined || (known === undefined && name !== undefined && task === undefined)) {
    throw new CheckpointError(`Unsupported checkpoint architecture in ${source}`, {
      expected: `one of ${Object.keys(ARCHITECTURES).join(', ')} (or model_type "bert"/"distilbert")`,
      received: `architectures ${JSON.stringify(config.architectures)}, model_type ${JSON.stringify(modelType)}`,
      hint:
        family === undefined
          ? name === undefined && modelType === undefined
            ? `Set "model_type": "bert" or "distilbert" in ${source}`
            : `pofa implements BERT and DistilBERT only; use a checkpoint of one of them (its commands cannot load a ${JSON.stringify(modelType ?? name)} model; in code, register a model family for it and call loadPretrained(dir, { registry }))`
          : 'Pass { task } to load the encoder of this checkpoint with one of pofa\'s heads',
    });
  }
  return { family, task: task ?? known?.task ?? 'base', note: task === undefined || task === known?.task ? known?.note : undefined };
}

/**
 * The Hugging Face architecture name for a family and task (what `savePretrained` writes).
 *
 * @example
 * ```ts
 * architectureName('distilbert', 'sequence-classification'); // 'DistilBertForSequenceClassification'
 * ```
 */
export function architectureName(family: ModelFamily, task: TaskName): string {
  const stem = family === 'bert' ? 'Bert' : 'DistilBert';
  const suffix = { base: 'Model', 'masked-lm': 'ForMaskedLM', 'sequence-classification': 'ForSequenceClassification', 'question-answering': 'ForQuestionAnswering' }[task];
  return stem + suffix;
}
