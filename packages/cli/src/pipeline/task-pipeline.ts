import { ConfigError, type Module } from '@pofa/core';
import { createWordPieceTokenizer, type EncoderModel } from '@pofa/models';
import { SQUAD_FILES, mismatchedTask, type SpanRunTask, type RunTask } from '@pofa/tasks';
import { evaluateModel } from './measure';
import { classificationScoring, type RowContext } from './report-rows';
import { evaluateSquadModel } from './squad-evaluation';
import { spanScoring, spanTraining } from './span-task';
import type { SpanWindowOptions } from './span-training';
import { prepareSquadTokenizer } from './squad-tokenizer';
import { classificationTraining, type TaskTraining } from './task-training';
import { prepareEncoder } from './text-encoder';
import { PAPER_TRANSFER } from './prune-ofa-recipe';

/** How a run trains on its task and scores the table rows, whatever the task's kind. */
export interface TaskPipeline {
  training: TaskTraining;
  /** How the table's rows are scored, for `measureRows` (made when the rows are measured: span QA builds its latency windows then). */
  rowScoring(): Pick<RowContext, 'scoring' | 'moreScorings'>;
  /** The task's primary metric on its validation split (higher is better); absent when the split is empty. */
  validation?: ValidationScore;
}

/** A model's score on the validation split, by the task's primary metric. */
export interface ValidationScore {
  metric: string;
  score(model: Module): Promise<number>;
}

/** What {@link prepareTaskPipeline} needs besides the task and the vocabulary. */
export interface TaskPipelineOptions {
  /** Tokens per sequence (span QA: per window). */
  maxLength: number;
  /** Examples (span QA: windows) per scoring batch; latency is timed on one batch. */
  scoreBatchSize: number;
  /** Span QA: where each stage's `predictions.json` and `metrics.json` go (`<dir>/<stage>/`). */
  predictionsDir: string;
}

/**
 * The SQuAD windows at `maxLength` tokens: the paper's 384 / stride 128 / question 64 where they
 * fit, else a stride of half the window and questions of at most a quarter of it, so that every
 * window keeps room for context (`createSquadFeatures` needs more context tokens than the stride).
 *
 * @example
 * ```ts
 * spanWindows(384); // { maxLength: 384, docStride: 128, maxQueryLength: 64 }
 * spanWindows(24); // { maxLength: 24, docStride: 12, maxQueryLength: 6 }
 * ```
 */
export function spanWindows(maxLength: number): Required<SpanWindowOptions> {
  return { maxLength, docStride: Math.min(PAPER_TRANSFER.span.docStride ?? 128, Math.floor(maxLength / 2)), maxQueryLength: Math.min(64, Math.floor(maxLength / 4)) };
}

/**
 * Tokenizes a run's task once and picks how it trains and scores by its kind: a classification
 * or regression task gets `classificationTraining` and `classificationScoring`, SQuAD (`kind:
 * 'span'`) gets `spanTraining` and `spanScoring` on the {@link spanWindows} of `maxLength`. MNLI
 * with its mismatched dev set is also scored on it, as a second set of rows (`glue/mnli-mm`). What
 * `pofa compress` and `pofa transfer` share.
 *
 * @example
 * ```ts
 * const { training, rowScoring } = await prepareTaskPipeline(task, vocab, { maxLength: 128, scoreBatchSize: 8, predictionsDir: 'run/predictions' });
 * ```
 */
export async function prepareTaskPipeline(task: RunTask | SpanRunTask, vocab: string[], options: TaskPipelineOptions): Promise<TaskPipeline> {
  const { maxLength, scoreBatchSize, predictionsDir } = options;
  if (task.kind === 'span') {
    const tokenizer = await prepareSquadTokenizer(await createWordPieceTokenizer({ vocab, maxLength }), [...task.train, ...task.validation, ...task.test]);
    const windows = spanWindows(maxLength);
    const validation: ValidationScore = { metric: 'f1', score: async (model) => (await evaluateSquadModel(model as EncoderModel, task.validation, tokenizer, { ...windows, batchSize: scoreBatchSize })).f1 };
    return {
      training: spanTraining(task, tokenizer, windows),
      rowScoring: () => ({ scoring: spanScoring(task, tokenizer, { ...windows, batchSize: scoreBatchSize }, predictionsDir) }),
      ...(task.validation.length === 0 ? {} : { validation }),
    };
  }
  const mismatched = mismatchedTask(task);
  const encoder = await prepareEncoder(vocab, [...task.train, ...task.validation, ...task.test, ...(mismatched?.test ?? [])], maxLength);
  const validation: ValidationScore = {
    metric: task.specification.primaryMetric,
    score: async (model) => (await evaluateModel(model as EncoderModel, task, 'validation', encoder, 2 * scoreBatchSize)).primary,
  };
  return {
    ...(task.validation.length === 0 ? {} : { validation }),
    training: classificationTraining(task, encoder),
    rowScoring: () => ({
      scoring: classificationScoring(task, encoder, scoreBatchSize),
      ...(mismatched === undefined ? {} : { moreScorings: [classificationScoring(mismatched, encoder, scoreBatchSize)] }),
    }),
  };
}

/**
 * Throws a `ConfigError` when the task has nothing to train on (a single SQuAD file is a dev set,
 * for `pofa eval` only).
 *
 * @example
 * ```ts
 * requireTrainingExamples(await loadAnyRunTask('squad', 'dev-v1.1.json', options)); // throws
 * ```
 */
export function requireTrainingExamples(task: RunTask | SpanRunTask): void {
  if (task.train.length > 0) return;
  throw new ConfigError(`The task ${task.name} has no training examples`, {
    expected: task.kind === 'span' ? `--data DIR holding ${SQUAD_FILES.train} and ${SQUAD_FILES.dev}` : 'a task with a training split',
    received: 'an empty training split',
    hint: 'A single SQuAD file is a dev set for pofa eval; pass the folder with both files',
  });
}

/**
 * The texts of a task as masked-LM pre-training reads them (when there is no corpus: a model
 * loaded from a directory): the examples' first texts, or SQuAD's paragraphs (each once).
 *
 * @example
 * ```ts
 * maskedLmData(taskTexts(task), encoder);
 * ```
 */
export function taskTexts(task: RunTask | SpanRunTask): string[] {
  return task.kind === 'span' ? [...new Set(task.train.map((example) => example.context))] : task.train.map((example) => example.text);
}
