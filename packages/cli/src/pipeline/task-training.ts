import { createRandom, type Modifier, type Module, type TrainingData, type TrainingLoss } from '@pofa/core';
import { createDistillationModifier, featureRequest, type DistillationConfigInput, type DistillationTeacher } from '@pofa/distill';
import type { EncoderModel, FeatureRequest } from '@pofa/models';
import type { RunTask } from '@pofa/tasks';
import { PRUNE_OFA_RECIPE } from './prune-ofa-recipe';
import type { SpanWindowOptions } from './span-training';
import { classificationLossWith, classificationTrainingLoss, taskData } from './stage-training';
import { labelCountOf, labelling } from './teacher';
import type { PreparedEncoder } from './text-encoder';

/**
 * How a model trains on a downstream task, whatever the task's kind: the head it needs, its
 * training batches and loss, and whether it is a regression (whose one output is distilled by
 * logits MSE, see {@link taskDistillationModifier}). The transfer and QAT stages take one, so classification and span QA share them.
 *
 * @example
 * ```ts
 * const training = classificationTraining(task, encoder); // { head: 'sequence-classification', numLabels: 2, ... }
 * ```
 */
export interface TaskTraining {
  head: 'sequence-classification' | 'question-answering';
  /** Outputs of a classification head (1 for regression); absent for span QA. */
  numLabels?: number;
  /** Batches and loss: their batch type differs per task kind, and the Trainer only passes one to the other. */
  data: TrainingData<any>;
  loss: TrainingLoss<Module, any>;
  /** The same loss, its outputs also carrying `features` (for distillation of intermediate features). */
  lossWith(features: FeatureRequest): TrainingLoss<Module, any>;
  /** One output, a number: the teacher's logits are matched by MSE, not by KL over a softmax. */
  regression: boolean;
  /** How the distillation modifier sees the teacher, where the task's logits need reshaping (span QA); the teacher itself otherwise. */
  teacherView?: (teacher: EncoderModel) => DistillationTeacher;
  /** Span QA: how the examples became windows (part of what a cached teacher's key records). */
  windows?: SpanWindowOptions;
}

/** Steps, peak learning rate and batch size of one training stage. */
export interface TrainingSettings {
  steps: number;
  learningRate: number;
  batchSize: number;
  /** Examples per forward/backward pass, a divisor of `batchSize` (gradients accumulate over `batchSize / microBatchSize` passes); default `batchSize`. */
  microBatchSize?: number;
}

/**
 * The largest divisor of `batchSize` whose passes hold at most `tokenBudget` tokens and at most
 * `attentionBudget` query-key pairs per head (examples × `maxLength`²) at `maxLength` (at least 1):
 * the micro-batch that bounds a step's activation memory (the Linears' activations grow with the
 * tokens, the attention's with their square) while the optimizer still sees `batchSize` examples
 * per step.
 *
 * @example
 * ```ts
 * microBatchSize(12, 384, 2048); // 4 (three passes of 4 × 384 tokens)
 * microBatchSize(12, 384, 2048, 2 * 384 * 384); // 2 (six passes of 2 × 384 tokens)
 * ```
 */
export function microBatchSize(batchSize: number, maxLength: number, tokenBudget: number, attentionBudget = Number.POSITIVE_INFINITY): number {
  const limit = Math.max(1, Math.min(Math.floor(tokenBudget / maxLength), Math.floor(attentionBudget / (maxLength * maxLength))));
  for (let size = Math.min(batchSize, limit); size > 1; size--) if (batchSize % size === 0) return size;
  return 1;
}

/**
 * The {@link TaskTraining} of a classification or regression run task: a sequence-classification
 * head, the task's labelled batches, cross-entropy (or MSE for regression).
 *
 * @example
 * ```ts
 * const training = classificationTraining(await loadRunTask('spam', undefined, options), encoder);
 * ```
 */
export function classificationTraining(task: RunTask, encoder: PreparedEncoder): TaskTraining {
  return {
    head: 'sequence-classification',
    numLabels: labelCountOf(task),
    data: taskData(task.train, encoder, labelling(task)),
    loss: classificationTrainingLoss,
    lossWith: classificationLossWith,
    regression: task.regression === true,
  };
}

/** A dense teacher and how the student learns from it (a `@pofa/distill` config). */
export interface TeacherDistillation {
  model: EncoderModel;
  config: DistillationConfigInput;
}

/**
 * The loss a stage trains with: the task's, asking the student's forward pass for the features
 * the teacher's distillation matches (hidden states with `--distill-hidden`), if any.
 *
 * @example
 * ```ts
 * await trainStage({ ..., loss: stageLoss(training, teacher), modifiers });
 * ```
 */
export function stageLoss(training: TaskTraining, teacher: TeacherDistillation | undefined): TrainingLoss<Module, any> {
  const matches = teacher === undefined || training.regression ? [] : (teacher.config.intermediate ?? []);
  return matches.length === 0 ? training.loss : training.lossWith(featureRequest(matches.map((match) => match.feature)));
}

/**
 * The task distillation modifier of a transfer or QAT stage: the teacher seen as the task needs
 * (`teacherView`, span QA) and its config, except for regression, where the recipe's logits MSE
 * (0.5 task loss + 0.5 MSE to the teacher's output, {@link PRUNE_OFA_RECIPE}) replaces it: KL over a
 * softmax of one output is always zero.
 *
 * @example
 * ```ts
 * modifiers.push(taskDistillationModifier(training, { model: teacher, config: PRUNE_OFA_RECIPE.distillation }, seed + 2));
 * ```
 */
export function taskDistillationModifier(training: TaskTraining, teacher: TeacherDistillation, seed: number): Modifier {
  return createDistillationModifier({
    teacher: training.teacherView?.(teacher.model) ?? teacher.model,
    config: training.regression ? PRUNE_OFA_RECIPE.regressionDistillation : teacher.config,
    random: createRandom(seed),
  });
}
