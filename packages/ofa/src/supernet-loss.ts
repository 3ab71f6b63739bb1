import { ConfigError, tf } from '@pofa/core';
import { hiddenMse, kdCrossEntropy } from '@pofa/distill';
import type { ModelOutputs } from '@pofa/models';
import { z } from 'zod';

/**
 * Options of {@link supernetDistillationLoss}: DynaBERT's width-adaptive objective, also
 * PaddleNLP's OFA example (`lambda_logit` 1, `lambda_distill` 0.1 on the embedding output
 * and every layer).
 *
 * @example
 * ```ts
 * supernetLossOptionsSchema.parse({}); // { temperature: 1, logitWeight: 1, hiddenWeight: 0.1, maskPadding: false }
 * ```
 */
export const supernetLossOptionsSchema = z
  .object({
    /** Temperature of the soft cross-entropy on the logits. */
    temperature: z.number().finite().positive().default(1),
    /** Weight of the soft cross-entropy on the logits. */
    logitWeight: z.number().finite().min(0).default(1),
    /** Weight of the summed hidden-state MSE (embedding output and each layer). */
    hiddenWeight: z.number().finite().min(0).default(0.1),
    /**
     * Leave padding positions out of the hidden MSE and of a masked-LM logit loss. Default
     * false: DynaBERT and PaddleSlim average over every position, padding included.
     */
    maskPadding: z.boolean().default(false),
  })
  .strict();

/** Options of {@link supernetDistillationLoss}, as the caller writes them. */
export type SupernetLossOptions = z.input<typeof supernetLossOptionsSchema>;

/**
 * Validates loss options (defaults applied) or throws a `ConfigError` naming the option.
 *
 * @example
 * ```ts
 * parseSupernetLossOptions({ temperature: 2 }).hiddenWeight; // 0.1
 * ```
 */
export function parseSupernetLossOptions(options: unknown): z.output<typeof supernetLossOptionsSchema> {
  const parsed = supernetLossOptionsSchema.safeParse(options ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new ConfigError(`Invalid supernet loss option "${issue.path.join('.') || 'options'}"`, {
    expected: `${Object.keys(supernetLossOptionsSchema.shape).join(', ')} with valid values (${issue.message})`,
    received: JSON.stringify(options),
  });
}

/**
 * The supernet's distillation loss at one width, against the full-width teacher:
 * `logitWeight` · soft cross-entropy of the logits (`kdCrossEntropy`, T² · mean over rows of
 * −Σ softmax(t/T) · log_softmax(s/T)) + `hiddenWeight` · Σ_{i=0..L} MSE(hidden_i) over the
 * embedding output and every layer's output (`hiddenMse`). DynaBERT's `soft_cross_entropy`
 * also averages over the classes, i.e. it is this term divided by the class count. With one
 * output (regression) the logit term is left out, as PaddleNLP's OFA example does for STS-B.
 * Both outputs need `features: { hidden: true }`.
 *
 * @example
 * ```ts
 * const features = { hidden: true };
 * const loss = supernetDistillationLoss(student.forward(inputs, { features }), teacher.forward(inputs, { features }));
 * ```
 */
export function supernetDistillationLoss(student: ModelOutputs, teacher: ModelOutputs, options: SupernetLossOptions = {}): tf.Scalar {
  const settings = parseSupernetLossOptions(options);
  if (student.hidden.length === 0 || student.hidden.length !== teacher.hidden.length) {
    throw new ConfigError('The supernet loss needs the hidden states of both models', {
      expected: 'outputs of forward(inputs, { features: { hidden: true } }) with the same number of layers',
      received: `${student.hidden.length} student and ${teacher.hidden.length} teacher hidden states`,
    });
  }
  const mask = settings.maskPadding ? student.mask : undefined;
  return tf.tidy(() => {
    let hidden: tf.Scalar = tf.scalar(0);
    student.hidden.forEach((state, index) => (hidden = tf.add(hidden, hiddenMse(state, teacher.hidden[index], { mask }))));
    let total = tf.mul(hidden, settings.hiddenWeight) as tf.Scalar;
    const studentLogits = student.logits;
    const teacherLogits = teacher.logits;
    if (studentLogits !== undefined && teacherLogits !== undefined && studentLogits.shape[studentLogits.rank - 1] > 1 && settings.logitWeight > 0) {
      const rowMask = studentLogits.rank === 3 ? mask : undefined;
      const soft = kdCrossEntropy(studentLogits, teacherLogits, { temperature: settings.temperature, mask: rowMask });
      total = tf.add(total, tf.mul(soft, settings.logitWeight));
    }
    return total;
  });
}
