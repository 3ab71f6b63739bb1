import { ConfigError, type DistillationLoss, ModuleList, type Random, tf } from '@pofa/core';
import { DISTILLATION_LOSSES } from '../losses/loss-specifications';
import { createProjection, type Projection } from '../projection/create-projection';
import type { DistillationConfig } from './distillation-config';
import { type DistillationFeatures, selectFeature } from './distillation-features';
import { valueAt } from './scheduled-value';

type AnyLoss = DistillationLoss<Record<string, unknown>>;

/**
 * The loss spec named `name` among this package's losses and `extra` (extra ones win); a
 * {@link ConfigError} listing the known names otherwise.
 *
 * @example
 * ```ts
 * resolveLoss('distill/hidden-mse').compute(student, teacher, { mask });
 * ```
 */
export function resolveLoss(name: string, extra: readonly DistillationLoss[] = []): AnyLoss {
  const found = [...extra, ...DISTILLATION_LOSSES].find((loss) => loss.name === name);
  if (found !== undefined) return found as unknown as AnyLoss;
  const known = [...new Set([...extra, ...DISTILLATION_LOSSES].map((loss) => loss.name))].sort();
  throw new ConfigError('Unknown distillation loss', {
    expected: `one of ${known.join(', ')}`,
    received: JSON.stringify(name),
    hint: 'Pass third-party loss specs in `losses`, or a `registry` they are registered in',
  });
}

/**
 * The projections a config asks for, one slot per intermediate match (`undefined` where a
 * match has none), all held by one `ModuleList` so they can join the trained parameters.
 *
 * @example
 * ```ts
 * const { list, byMatch } = createMatchProjections(config, createRandom(0));
 * ```
 */
export function createMatchProjections(config: DistillationConfig, random?: Random): { list: ModuleList<Projection>; byMatch: Array<Projection | undefined> } {
  const list = new ModuleList<Projection>();
  const byMatch = config.intermediate.map((match) => {
    if (match.projection === undefined) return undefined;
    const { studentDim, teacherDim, activation } = match.projection;
    const projection = createProjection(studentDim, teacherDim, { activation, random });
    list.push(projection);
    return projection;
  });
  return { list, byMatch };
}

/** What {@link distillationObjective} combines. */
export interface DistillationObjectiveInputs {
  config: DistillationConfig;
  /** The task (hard-label) loss, weighted by `hardWeight`. */
  hardLoss: tf.Scalar;
  student: DistillationFeatures;
  teacher: DistillationFeatures;
  step: number;
  projections?: ReadonlyArray<Projection | undefined>;
  losses?: readonly DistillationLoss[];
}

/**
 * hardWeight · hardLoss + softWeight · softLoss(student.logits, teacher.logits; T) + Σ weight ·
 * loss(projection(student feature), teacher feature), with weights and T at `step`. Terms of
 * weight 0 are skipped. Runs in `tf.tidy`; differentiable with respect to the student.
 *
 * @example
 * ```ts
 * const total = distillationObjective({ config, hardLoss, student: outputs, teacher: teacherOutputs, step });
 * ```
 */
export function distillationObjective(inputs: DistillationObjectiveInputs): tf.Scalar {
  const { config, hardLoss, student, teacher, step } = inputs;
  const mask = student.mask ?? teacher.mask;
  return tf.tidy(() => {
    let total: tf.Scalar = tf.mul(hardLoss, valueAt(config.hardWeight, step));
    const softWeight = valueAt(config.softWeight, step);
    if (softWeight !== 0) {
      if (student.logits === undefined || teacher.logits === undefined) {
        throw new ConfigError('Soft-target distillation needs logits from both models', {
          expected: 'student and teacher outputs with logits',
          received: `student ${student.logits === undefined ? 'without' : 'with'} logits, teacher ${teacher.logits === undefined ? 'without' : 'with'} logits`,
          hint: 'Give the models a head, or set softWeight to 0',
        });
      }
      const soft = resolveLoss(config.softLoss, inputs.losses);
      const options = soft.optionsSchema.parse({ temperature: valueAt(config.temperature, step) });
      const logitsMask = student.logits.rank === 3 ? mask : undefined;
      total = tf.add(total, tf.mul(soft.compute(student.logits, teacher.logits, { ...options, mask: logitsMask }), softWeight));
    }
    config.intermediate.forEach((match, index) => {
      const weight = valueAt(match.weight, step);
      if (weight === 0) return;
      const loss = resolveLoss(match.loss, inputs.losses);
      let studentFeature = selectFeature(student, match.feature, match.studentLayer, 'student');
      const projection = inputs.projections?.[index];
      if (projection !== undefined) studentFeature = projection.forward(studentFeature);
      const teacherFeature = selectFeature(teacher, match.feature, match.teacherLayer, 'teacher');
      const options = loss.optionsSchema.parse(match.options);
      total = tf.add(total, tf.mul(loss.compute(studentFeature, teacherFeature, { ...options, mask }), weight));
    });
    return total;
  });
}
