import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createRandom, type Modifier } from '@pofa/core';
import { createDistillationModifier } from '@pofa/distill';
import { initStudentFromTeacher, savePretrained, type EncoderModel } from '@pofa/models';
import { createPatternLockModifier } from '@pofa/prune';
import { loadModel } from './models';
import { PRUNE_OFA_RECIPE } from './prune-ofa-recipe';
import type { BestValidation, KeepBest } from './keep-best';
import { maskedLmData, maskedLmTrainingLoss, trainStage, type StageEnvironment } from './stage-training';
import { stageLoss, taskDistillationModifier, type TaskTraining, type TeacherDistillation, type TrainingSettings } from './task-training';
import type { PreparedEncoder } from './text-encoder';

/**
 * Sparse pre-training (Prune OFA, stage 1): a student initialised from the pre-trained teacher
 * (every layer copied) trains with masked LM plus distillation from the teacher
 * ({@link PRUNE_OFA_RECIPE}: 0.5 · MLM + 0.5 · KL at T = 2) while the pruning modifiers (default:
 * `defaultPruningModifiers`, cubic gradual magnitude pruning) sparsify its encoder. Saves the
 * sparse model (zeros baked in) under `<dir>/model`.
 *
 * @example
 * ```ts
 * const student = await sparsePretrain(teacher, texts, encoder, defaultPruningModifiers(250, 0.9, 'unstructured'), { steps: 250, learningRate: 2e-3, batchSize: 16 }, environment);
 * ```
 */
export async function sparsePretrain(
  teacher: EncoderModel,
  texts: readonly string[],
  encoder: PreparedEncoder,
  pruning: Modifier[],
  settings: TrainingSettings,
  environment: StageEnvironment,
): Promise<EncoderModel> {
  const { student } = initStudentFromTeacher(teacher, teacher.config, { layers: 'first', seed: environment.seed });
  const distillation = createDistillationModifier({ teacher, config: PRUNE_OFA_RECIPE.distillation, random: createRandom(environment.seed + 1) });
  await trainStage({
    name: 'sparse pre-training', model: student, data: maskedLmData(texts, encoder), loss: maskedLmTrainingLoss,
    ...settings, modifiers: [distillation, ...pruning], environment,
  });
  await savePretrained(student, join(environment.dir, 'model'));
  return student;
}

/**
 * Sparse transfer (Prune OFA, stage 2): the sparse pre-trained encoder with a new task head,
 * pattern lock on every encoder Linear weight (its zeros stay zero), and, when a fine-tuned dense
 * teacher is given, task distillation from it by its config (`compress` and `reproduce`: the
 * recipe's; `transfer`: `transferDistillation`; logits MSE for regression, see
 * `taskDistillationModifier`). Saves under `<dir>/model`: the final weights, or with `keepBest`
 * those of the step that scored best on the validation split (returned as `best`).
 *
 * @example
 * ```ts
 * const { model, best } = await sparseTransfer(sparseDir, { model: teacher, config: PRUNE_OFA_RECIPE.distillation }, classificationTraining(task, encoder), { steps: 300, learningRate: 1e-4, batchSize: 32 }, environment);
 * ```
 */
export async function sparseTransfer(
  sparseDir: string,
  teacher: TeacherDistillation | undefined,
  training: TaskTraining,
  settings: TrainingSettings,
  environment: StageEnvironment,
  keepBest?: KeepBest,
): Promise<{ model: EncoderModel; best?: BestValidation }> {
  const model = await loadModel(sparseDir, training.head, training.numLabels);
  const modifiers: Modifier[] = [createPatternLockModifier({})];
  if (teacher !== undefined) modifiers.push(taskDistillationModifier(training, teacher, environment.seed + 2));
  const out = join(environment.dir, 'model');
  let held = true;
  try {
    const { best } = await trainStage({ name: 'sparse transfer', model, data: training.data, loss: stageLoss(training, teacher), ...settings, modifiers, environment, ...(keepBest === undefined ? {} : { keepBest }) });
    if (best === undefined || best.step === settings.steps) {
      await savePretrained(model, out);
      if (best !== undefined) await rm(join(environment.dir, best.folder), { recursive: true, force: true });
      return { model, ...(best === undefined ? {} : { best }) };
    }
    // An earlier step scored best on validation: its weights are the stage's model.
    model.dispose();
    held = false;
    await rm(out, { recursive: true, force: true });
    await rename(join(environment.dir, best.folder), out);
    return { model: await loadModel(out, training.head, training.numLabels), best };
  } catch (error) {
    if (held) model.dispose();
    throw error;
  }
}
