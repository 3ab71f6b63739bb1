import type { GlueTaskName } from './glue-task-name';

/** A column found by its header name, or by position in a file without a header. */
export type GlueColumn = string | number;

/** Where one GLUE split keeps its fields. */
export interface GlueSplitLayout {
  /** Whether the first line is a header. */
  header: boolean;
  /** Number of columns of a file without a header. */
  columnCount?: number;
  id?: GlueColumn;
  text: GlueColumn;
  textPair?: GlueColumn;
  /** Absent from a header (test splits): the examples have `label: null`. */
  label?: GlueColumn;
}

/** How a GLUE task's files are laid out, and its labels in the official order. */
export interface GlueLayout {
  /** The folder name GLUE's download script uses (`'SST-2'`). */
  folder: string;
  splits: readonly string[];
  /** Class names in the official order (the order of the Hugging Face `glue` dataset); `[]` for STS-B. */
  labels: readonly string[];
  /** How each class is written in the files, index for index with `labels` (default: the names). */
  labelValues?: readonly string[];
  layout(split: string): GlueSplitLayout;
}

const STANDARD_SPLITS = ['train', 'dev', 'test'] as const;
const BINARY_VALUES = ['0', '1'] as const;

/**
 * The official layouts of the nine GLUE tasks (as written by GLUE's `download_glue_data.py`).
 *
 * @example
 * ```ts
 * GLUE_LAYOUTS.mnli.layout('dev_matched').label; // 'gold_label'
 * GLUE_LAYOUTS.wnli.labels; // ['not_entailment', 'entailment']
 * ```
 */
export const GLUE_LAYOUTS: Readonly<Record<GlueTaskName, GlueLayout>> = {
  cola: {
    folder: 'CoLA',
    splits: STANDARD_SPLITS,
    labels: ['unacceptable', 'acceptable'],
    labelValues: BINARY_VALUES,
    // train/dev: no header; source, label, original label, sentence. test: header `index sentence`.
    layout: (split) =>
      split === 'test'
        ? { header: true, id: 'index', text: 'sentence' }
        : { header: false, columnCount: 4, text: 3, label: 1 },
  },
  sst2: {
    folder: 'SST-2',
    splits: STANDARD_SPLITS,
    labels: ['negative', 'positive'],
    labelValues: BINARY_VALUES,
    layout: () => ({ header: true, id: 'index', text: 'sentence', label: 'label' }),
  },
  mrpc: {
    folder: 'MRPC',
    splits: STANDARD_SPLITS,
    labels: ['not_equivalent', 'equivalent'],
    labelValues: BINARY_VALUES,
    layout: () => ({ header: true, id: 'index', text: '#1 String', textPair: '#2 String', label: 'Quality' }),
  },
  stsb: {
    folder: 'STS-B',
    splits: STANDARD_SPLITS,
    labels: [],
    layout: () => ({ header: true, id: 'index', text: 'sentence1', textPair: 'sentence2', label: 'score' }),
  },
  qqp: {
    folder: 'QQP',
    splits: STANDARD_SPLITS,
    labels: ['not_duplicate', 'duplicate'],
    labelValues: BINARY_VALUES,
    layout: () => ({ header: true, id: 'id', text: 'question1', textPair: 'question2', label: 'is_duplicate' }),
  },
  mnli: {
    folder: 'MNLI',
    splits: ['train', 'dev_matched', 'dev_mismatched', 'test_matched', 'test_mismatched'],
    labels: ['entailment', 'neutral', 'contradiction'],
    layout: () => ({ header: true, id: 'index', text: 'sentence1', textPair: 'sentence2', label: 'gold_label' }),
  },
  qnli: {
    folder: 'QNLI',
    splits: STANDARD_SPLITS,
    labels: ['entailment', 'not_entailment'],
    layout: () => ({ header: true, id: 'index', text: 'question', textPair: 'sentence', label: 'label' }),
  },
  rte: {
    folder: 'RTE',
    splits: STANDARD_SPLITS,
    labels: ['entailment', 'not_entailment'],
    layout: () => ({ header: true, id: 'index', text: 'sentence1', textPair: 'sentence2', label: 'label' }),
  },
  wnli: {
    folder: 'WNLI',
    splits: STANDARD_SPLITS,
    // WNLI writes 1 for entailment and 0 for not_entailment.
    labels: ['not_entailment', 'entailment'],
    labelValues: BINARY_VALUES,
    layout: () => ({ header: true, id: 'index', text: 'sentence1', textPair: 'sentence2', label: 'label' }),
  },
};
