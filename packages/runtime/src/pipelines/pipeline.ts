import type { Bundle, BundleTask } from '@pofa/sparse-kernels';
import { PipelineError } from '../pipeline-error';
import { pairList, questionList, textList, textOrPairList, type QuestionContext, type TextPair } from './pipeline-inputs';
import { loadPipelineModel, type PipelineModel, type PipelineOptions } from './pipeline-model';
import { answerQuestions, type Answer } from './question-answering';
import { sequenceLogits, topLabels, type ClassificationLabel, type RegressionValue } from './sequence-pipelines';

/** The pipelines, by the name `pipeline()` takes. */
export const PIPELINE_TASKS = ['text-classification', 'text-pair-classification', 'regression', 'question-answering'] as const;

/** One of {@link PIPELINE_TASKS}. */
export type PipelineTask = (typeof PIPELINE_TASKS)[number];

/** Options of a classification call. */
export interface ClassifyOptions {
  /** Labels returned per input, most probable first (default 1). */
  topK?: number;
}

/** What every pipeline carries besides its call. */
export interface PipelineInfo {
  readonly task: PipelineTask;
  /** The loaded bundle, runtime, tokenizer and task. */
  readonly model: PipelineModel;
}

/** `text-classification`: the most probable label of each text (or the `topK` most probable). */
export interface TextClassificationPipeline extends PipelineInfo {
  (inputs: string | readonly string[], options?: { topK?: 1 }): Promise<ClassificationLabel[]>;
  (inputs: string | readonly string[], options: ClassifyOptions): Promise<ClassificationLabel[][]>;
}

/** `text-pair-classification`: the most probable label of each `[text, textPair]`. */
export interface TextPairClassificationPipeline extends PipelineInfo {
  (inputs: readonly TextPair[], options?: { topK?: 1 }): Promise<ClassificationLabel[]>;
  (inputs: readonly TextPair[], options: ClassifyOptions): Promise<ClassificationLabel[][]>;
}

/** `regression`: the predicted value of each text or `[text, textPair]`. */
export interface RegressionPipeline extends PipelineInfo {
  (inputs: string | ReadonlyArray<string | TextPair>): Promise<RegressionValue[]>;
}

/** `question-answering`: the answer span of each question in its context. */
export interface QuestionAnsweringPipeline extends PipelineInfo {
  (inputs: QuestionContext | readonly QuestionContext[]): Promise<Answer[]>;
}

/** The pipeline type of each task name. */
export interface PipelineOf {
  'text-classification': TextClassificationPipeline;
  'text-pair-classification': TextPairClassificationPipeline;
  regression: RegressionPipeline;
  'question-answering': QuestionAnsweringPipeline;
}

const KIND_OF: Record<PipelineTask, BundleTask['kind']> = {
  'text-classification': 'classification',
  'text-pair-classification': 'pair-classification',
  regression: 'regression',
  'question-answering': 'span',
};

/**
 * The pipeline that serves a bundle task's kind.
 *
 * @example
 * ```ts
 * pipelineTaskOf('span'); // 'question-answering'
 * ```
 */
export function pipelineTaskOf(kind: BundleTask['kind']): PipelineTask {
  return PIPELINE_TASKS.find((name) => KIND_OF[name] === kind) as PipelineTask;
}

/** True when a bundle's task can serve `task` (a version 1 bundle's implied classification serves both classification pipelines). */
function serves(model: PipelineModel, task: PipelineTask): boolean {
  const kind = model.task.kind;
  if (kind === KIND_OF[task]) return true;
  return model.impliedTask && kind === 'classification' && task === 'text-pair-classification';
}

function pipelineFor(model: PipelineModel, task: PipelineTask): PipelineOf[PipelineTask] {
  const info = { task, model };
  const { task: stored } = model;
  if (task === 'question-answering') return Object.assign(async (inputs: unknown) => answerQuestions(model, questionList(inputs)), info) as QuestionAnsweringPipeline;
  if (stored.kind === 'regression') {
    const scale = stored.labelScale ?? { mean: 0, std: 1 };
    const regress = async (inputs: unknown) => {
      const list = textOrPairList(inputs);
      return (await sequenceLogits(model, list, 1)).map(([value]) => ({ value: value * scale.std + scale.mean }));
    };
    return Object.assign(regress, info) as RegressionPipeline;
  }
  const labels = stored.kind === 'classification' || stored.kind === 'pair-classification' ? stored.labels : [];
  const classify = async (inputs: unknown, options: ClassifyOptions = {}) => {
    const list = task === 'text-pair-classification' ? pairList(inputs) : textList(inputs);
    const ranked = (await sequenceLogits(model, list, labels.length)).map((logits) => topLabels(logits, labels, options.topK ?? 1));
    return options.topK === undefined ? ranked.map(([best]) => best) : ranked;
  };
  return Object.assign(classify, info) as TextClassificationPipeline;
}

/**
 * A text-in pipeline over a `.pofa` bundle (a path, its bytes, or a parsed `Bundle`): the
 * bundle's own tokenizer, truncation to its max length, batches of `batchSize` on the
 * sparse-kernels runtime, and its task's post-processing (label names and softmax scores,
 * regression values in label units, SQuAD answer spans). The bundle's task must match:
 * `text-classification` needs a classification bundle, `text-pair-classification` a pair one,
 * `question-answering` a span head. Bad inputs (not strings, empty, a question without a
 * context) are a `PipelineError`.
 *
 * @example
 * ```ts
 * const classify = await pipeline('text-classification', 'spam.pofa');
 * await classify(['Win a free cruise now!', 'Lunch at noon?']); // [{ label: 'spam', score: 0.97 }, { label: 'ham', score: 0.91 }]
 * await classify('Win a free cruise now!', { topK: 2 }); // [[{ label: 'spam', ... }, { label: 'ham', ... }]]
 * const answer = await pipeline('question-answering', 'squad.pofa');
 * await answer({ question: 'Who wrote it?', context: 'Melville wrote Moby-Dick.' }); // [{ answer: 'Melville', score, start: 0, end: 8 }]
 * ```
 */
export async function pipeline<Task extends PipelineTask>(task: Task, source: string | Uint8Array | Bundle, options: PipelineOptions = {}): Promise<PipelineOf[Task]> {
  if (!(PIPELINE_TASKS as readonly string[]).includes(task)) {
    throw new PipelineError(`Unknown pipeline ${JSON.stringify(task)}`, { expected: PIPELINE_TASKS.join(', '), received: JSON.stringify(task) });
  }
  const model = await loadPipelineModel(source, options);
  if (!serves(model, task)) {
    throw new PipelineError(`The bundle cannot serve a ${task} pipeline`, {
      expected: `a bundle whose task is ${KIND_OF[task]}`,
      received: `a ${model.task.kind} bundle${model.task.name === undefined ? '' : ` (${model.task.name})`}`,
      hint: `Use pipeline('${pipelineTaskOf(model.task.kind)}', ...)`,
    });
  }
  return pipelineFor(model, task) as PipelineOf[Task];
}
