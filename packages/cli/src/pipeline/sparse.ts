import { createRandom, type Modifier } from '@pofa/core';
import { createDistillationModifier, distillationPreset } from '@pofa/distill';
import { initStudentFromTeacher, savePretrained, type EncoderModel } from '@pofa/models';
import { createGradualPruningModifier, createPatternLockModifier } from '@pofa/prune';
import { join } from 'node:path';
import { loadModel } from './models';
import type { Scale } from './scales';
import { maskedLmData, maskedLmTrainingLoss, trainStage, type StageEnvironment } from './stage-training';
import { stageLoss, type TaskTraining, type TeacherDistillation, type TrainingSettings } from './task-training';
import type { PreparedEncoder } from './text-encoder';

/** The sparsity patterns `--pattern` accepts. */
export const PATTERNS = ['unstructured', '4x1', '2:4'] as const;

/** One of {@link PATTERNS}. */
export type PatternName = (typeof PATTERNS)[number];

/**
 * The sparsity a pattern reaches: N:M patterns fix it (2:4 → 0.5), the others take `--sparsity`.
 *
 * @example
 * ```ts
 * effectiveSparsity('2:4', 0.9); // 0.5
 * ```
 */
export function effectiveSparsity(pattern: PatternName, sparsity: number): number {
  return pattern === '2:4' ? 0.5 : sparsity;
}

/**
 * The default pruning of sparse pre-training, scaled from the paper's 100k-step run (0 → final
 * over the first 50%, masks still recomputed at the final sparsity up to 80%, then fixed): cubic
 * gradual magnitude pruning of every encoder Linear weight, layer by layer.
 *
 * @example
 * ```ts
 * const [pruning] = defaultPruningModifiers(250, 0.9, 'unstructured');
 * ```
 */
export function defaultPruningModifiers(steps: number, sparsity: number, pattern: PatternName): Modifier[] {
  const endStep = Math.max(1, Math.floor(steps * 0.5));
  return [
    createGradualPruningModifier({
      finalSparsity: effectiveSparsity(pattern, sparsity),
      schedule: 'cubic',
      startStep: 0,
      endStep,
      frequency: Math.max(1, Math.floor(endStep / 10)),
      maskUpdateEndStep: Math.max(endStep, Math.floor(steps * 0.8)),
      pattern,
    }),
  ];
}

/**
 * Sparse pre-training (Prune OFA, stage 1): a student initialised from the pre-trained teacher
 * (every layer copied) trains with masked LM plus distillation from the teacher (0.5 · MLM +
 * 0.5 · KL at T = 2) while the pruning modifiers (default: cubic gradual magnitude pruning)
 * sparsify its encoder. Saves the sparse model (zeros baked in) under `<dir>/model`.
 *
 * @example
 * ```ts
 * const student = await sparsePretrain(teacher, texts, encoder, pruning, scale, environment);
 * ```
 */
export async function sparsePretrain(
  teacher: EncoderModel,
  texts: readonly string[],
  encoder: PreparedEncoder,
  pruning: Modifier[],
  scale: Scale,
  environment: StageEnvironment,
): Promise<EncoderModel> {
  const { student } = initStudentFromTeacher(teacher, teacher.config, { layers: 'first', seed: environment.seed });
  const distillation = createDistillationModifier({ teacher, config: distillationPreset('prune-ofa'), random: createRandom(environment.seed + 1) });
  await trainStage({
    name: 'sparse pre-training', model: student, data: maskedLmData(texts, encoder), loss: maskedLmTrainingLoss,
    steps: scale.steps.sparsePretrain, learningRate: scale.learningRate.pretrain, batchSize: scale.batchSize,
    modifiers: [distillation, ...pruning], environment,
  });
  await savePretrained(student, join(environment.dir, 'model'));
  return student;
}

/**
 * Sparse transfer (Prune OFA, stage 2): the sparse pre-trained encoder with a new task head,
 * pattern lock on every encoder Linear weight (its zeros stay zero), and, when a fine-tuned dense
 * teacher is given and the task allows it, task distillation from it by its config (`compress`: the
 * `prune-ofa` preset; `transfer`: `transferDistillation`). Saves under `<dir>/model`.
 *
 * @example
 * ```ts
 * const model = await sparseTransfer(sparseDir, { model: teacher, config: distillationPreset('prune-ofa') }, classificationTraining(task, encoder), { steps: 300, learningRate: 1e-4, batchSize: 32 }, environment);
 * ```
 */
export async function sparseTransfer(
  sparseDir: string,
  teacher: TeacherDistillation | undefined,
  training: TaskTraining,
  settings: TrainingSettings,
  environment: StageEnvironment,
): Promise<EncoderModel> {
  const model = await loadModel(sparseDir, training.head, training.numLabels);
  const modifiers: Modifier[] = [createPatternLockModifier({})];
  if (teacher !== undefined && training.distillable) {
    modifiers.push(createDistillationModifier({ teacher: training.teacherView?.(teacher.model) ?? teacher.model, config: teacher.config, random: createRandom(environment.seed + 2) }));
  }
  await trainStage({ name: 'sparse transfer', model, data: training.data, loss: stageLoss(training, teacher), ...settings, modifiers, environment });
  await savePretrained(model, join(environment.dir, 'model'));
  return model;
}
