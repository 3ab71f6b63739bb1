import { z } from 'zod';
import type { DistillationLoss, DistillationLossRuntime } from '../../registry/specs/distillation-loss';
import { tf } from '../../tensor/tf';

/** Toy distillation losses for the conformance-suite tests: correct ones and broken variants. */
const weightSchema = z.object({ weight: z.number().positive().default(1) });
type Options = z.output<typeof weightSchema>;

/** Mean squared error over `[batch, sequence, features]`, averaged over unmasked positions. */
function meanSquaredError(student: tf.Tensor, teacher: tf.Tensor, { weight, mask }: Options & DistillationLossRuntime): tf.Scalar {
  return tf.tidy(() => {
    const squared = tf.squaredDifference(student, teacher);
    if (mask === undefined) return tf.mul(weight, tf.mean(squared)) as tf.Scalar;
    const positions = tf.expandDims(mask, -1);
    const total = tf.sum(tf.mul(squared, positions));
    const count = tf.mul(tf.sum(positions), student.shape[student.shape.length - 1]);
    return tf.mul(weight, tf.div(total, count)) as tf.Scalar;
  });
}

function loss(name: string, compute: DistillationLoss<Options>['compute'], properties = { zeroWhenEqual: true, nonNegative: true }): DistillationLoss<Options> {
  return { specificationVersion: 'v1', name, optionsSchema: weightSchema, properties, compute };
}

/** Correct: MSE with an optional mask. */
export const mse = loss('toy/mse', meanSquaredError);

/** Correct: Hinton KD, KL(teacher || student) of temperature-softened logits, times T^2. */
export const hintonKd: DistillationLoss<{ temperature: number }> = {
  specificationVersion: 'v1',
  name: 'toy/hinton-kd',
  optionsSchema: z.object({ temperature: z.number().positive().default(2) }),
  properties: { zeroWhenEqual: true, nonNegative: true },
  compute: (student, teacher, { temperature }) =>
    tf.tidy(() => {
      const teacherLog = tf.logSoftmax(tf.div(teacher, temperature));
      const studentLog = tf.logSoftmax(tf.div(student, temperature));
      const perRow = tf.sum(tf.mul(tf.exp(teacherLog), tf.sub(teacherLog, studentLog)), -1);
      return tf.mul(temperature * temperature, tf.mean(perRow)) as tf.Scalar;
    }),
};

/** Broken variants of {@link mse}, each breaking one rule. */
export const broken = {
  notScalar: loss('toy/not-scalar', (student, teacher) => tf.tidy(() => tf.mean(tf.squaredDifference(student, teacher), -1)) as tf.Scalar),
  notFinite: loss('toy/not-finite', (student, teacher) => tf.tidy(() => tf.mean(tf.log(tf.sub(student, teacher)))) as tf.Scalar, { zeroWhenEqual: false, nonNegative: false }),
  offset: loss('toy/offset', (student, teacher, options) => tf.tidy(() => tf.add(meanSquaredError(student, teacher, options), 1))),
  signed: loss('toy/signed', (student, teacher) => tf.tidy(() => tf.mean(tf.sub(student, teacher))) as tf.Scalar),
  detached: loss('toy/detached', (student, teacher, options) => {
    const value = meanSquaredError(student, teacher, options);
    const copy = tf.scalar(value.dataSync()[0]);
    value.dispose();
    return copy;
  }),
  leaky: loss('toy/leaky', (student, teacher, options) => {
    tf.squaredDifference(student, teacher); // never disposed
    return meanSquaredError(student, teacher, options);
  }),
  disposesTeacher: loss('toy/disposes-teacher', (student, teacher, options) => {
    const value = meanSquaredError(student, teacher, options);
    teacher.dispose();
    return value;
  }),
};
