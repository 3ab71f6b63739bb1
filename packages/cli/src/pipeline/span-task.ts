import { join } from 'node:path';
import { writeFileAtomic } from '@pofa/core';
import type { PreparedSquadTokenizer } from '@pofa/runtime';
import type { EncoderInputs } from '@pofa/sparse-kernels';
import { createSquadFeatures, type TokenizerLike, type SpanRunTask } from '@pofa/tasks';
import { spanDeployment } from './bundle-deployment';
import type { ReportRow } from './report-table';
import type { TaskScore, TaskScoring } from './report-rows';
import { spanDistillationTeacher, spanLossWith, spanTrainingLoss, spanWindowRows, squadTrainingData, type SpanWindowOptions } from './span-training';
import { evaluateSquadModel, evaluateSquadRuntime, writeSquadPredictions, type SquadEvaluation } from './squad-evaluation';
import type { TaskTraining } from './task-training';

/**
 * The {@link TaskTraining} of SQuAD: a span head, the training windows (`maxLength`, `docStride`),
 * the mean of the start and end cross-entropies, and the teacher's start and end distributions
 * over the positions distilled (`spanDistillationTeacher`).
 *
 * @example
 * ```ts
 * const training = spanTraining(task, await prepareSquadTokenizer(bert, task.train), { maxLength: 384, docStride: 128 });
 * ```
 */
export function spanTraining(task: SpanRunTask, tokenizer: TokenizerLike, windows: SpanWindowOptions): TaskTraining {
  return {
    head: 'question-answering',
    data: squadTrainingData(task.train, tokenizer, windows),
    loss: spanTrainingLoss,
    lossWith: spanLossWith,
    regression: false,
    teacherView: spanDistillationTeacher,
    windows,
  };
}

/**
 * The {@link TaskScoring} of SQuAD: exact match and F1 of the official v1.1 script on the dev
 * questions, for the tfjs model and for the bundle; the row's metric is F1 (the paper's). Each
 * stage's answers go to `<dir>/<stage>/predictions.json` (the bundle's: what is deployed; the
 * official format, question id → text) with both engines' scores in `<dir>/<stage>/metrics.json`.
 * Latency is timed on the first `batchSize` dev windows.
 *
 * @example
 * ```ts
 * const scoring = spanScoring(task, tokenizer, { maxLength: 384, docStride: 128, batchSize: 8 }, 'run/predictions');
 * ```
 */
export function spanScoring(task: SpanRunTask, tokenizer: PreparedSquadTokenizer, options: SpanWindowOptions & { batchSize: number }, dir: string): TaskScoring {
  const { batchSize, ...windows } = options;
  const scores = new Map<ReportRow['stage'], Record<string, { exact_match: number; f1: number }>>();
  const record = async (stage: ReportRow['stage'], engine: 'tfjs' | 'pofa', result: SquadEvaluation): Promise<TaskScore> => {
    const stageScores = { ...(scores.get(stage) ?? {}), [engine]: result.metrics };
    scores.set(stage, stageScores);
    if (engine === 'pofa') await writeSquadPredictions(join(dir, stage, 'predictions.json'), result.predictions);
    await writeFileAtomic(join(dir, stage, 'metrics.json'), `${JSON.stringify({ task: 'squad', examples: result.numExamples, windows: result.numWindows, ...stageScores }, null, 2)}\n`);
    return { metric: 'f1', value: result.f1 };
  };
  const first = createSquadFeatures(task.test.slice(0, batchSize), tokenizer, { maxSeqLength: windows.maxLength, docStride: windows.docStride, maxQueryLength: windows.maxQueryLength }).slice(0, batchSize);
  const rows = spanWindowRows(first);
  const matrix = (data: Int32Array) => ({ data, shape: [rows.rows, rows.length] as [number, number] });
  const latencyInputs: EncoderInputs = { inputIds: matrix(rows.inputIds), attentionMask: matrix(rows.attentionMask), tokenTypeIds: matrix(rows.tokenTypeIds) };
  return {
    task: task.name,
    model: async (model, stage) => record(stage, 'tfjs', await evaluateSquadModel(model, task.test, tokenizer, { ...windows, batchSize })),
    runtime: async (runtime, stage) => record(stage, 'pofa', await evaluateSquadRuntime(runtime, task.test, tokenizer, { ...windows, batchSize })),
    latencyInputs,
    deployment: spanDeployment(task.name, tokenizer, windows),
  };
}
