import type { DistillationLoss, RegisterOptions, Registry } from '@pofa/core';
import type { z } from 'zod';
import { attentionKl } from './attention-kl';
import { attentionMse } from './attention-mse';
import { cosineEmbeddingLoss } from './cosine-embedding-loss';
import { hiddenMse } from './hidden-mse';
import { kdCrossEntropy } from './kd-cross-entropy';
import { kdKlDivergence } from './kd-kl-divergence';
import { logitsMse } from './logits-mse';
import { noOptionsSchema, temperatureOptionsSchema } from './loss-options';
import { pkdLoss } from './pkd-loss';
import { valueRelationKl } from './value-relation-kl';

type TemperatureOptions = z.output<typeof temperatureOptionsSchema>;
type NoOptions = z.output<typeof noOptionsSchema>;
const distance = { zeroWhenEqual: true, nonNegative: true } as const;

/**
 * `distill/kd-cross-entropy`: {@link kdCrossEntropy} as a registry spec; options `{ temperature }`.
 *
 * @example
 * ```ts
 * registry.get('distillation-loss', 'distill/kd-cross-entropy').compute(student, teacher, { temperature: 2, mask });
 * ```
 */
export const kdCrossEntropySpecification: DistillationLoss<TemperatureOptions> = {
  specificationVersion: 'v1',
  name: 'distill/kd-cross-entropy',
  description: 'Hinton soft-target cross-entropy, T² · CE(softmax(teacher/T), softmax(student/T))',
  optionsSchema: temperatureOptionsSchema,
  properties: { nonNegative: true },
  compute: (student, teacher, options) => kdCrossEntropy(student, teacher, options),
};

/**
 * `distill/kd-kl-divergence`: {@link kdKlDivergence} (the Prune OFA loss with T = 2).
 *
 * @example
 * ```ts
 * kdKlDivergenceSpecification.compute(student, teacher, { temperature: 2 });
 * ```
 */
export const kdKlDivergenceSpecification: DistillationLoss<TemperatureOptions> = {
  specificationVersion: 'v1',
  name: 'distill/kd-kl-divergence',
  description: 'T² · KL(softmax(teacher/T) ‖ softmax(student/T)), the Prune OFA distillation loss',
  optionsSchema: temperatureOptionsSchema,
  properties: distance,
  compute: (student, teacher, options) => kdKlDivergence(student, teacher, options),
};

/**
 * `distill/logits-mse`: {@link logitsMse}.
 *
 * @example
 * ```ts
 * logitsMseSpecification.compute(student, teacher, {});
 * ```
 */
export const logitsMseSpecification: DistillationLoss<NoOptions> = {
  specificationVersion: 'v1',
  name: 'distill/logits-mse',
  description: 'Mean squared difference of the logits',
  optionsSchema: noOptionsSchema,
  properties: distance,
  compute: (student, teacher, options) => logitsMse(student, teacher, { mask: options.mask }),
};

/**
 * `distill/hidden-mse`: {@link hiddenMse} (TinyBERT hidden states and embeddings).
 *
 * @example
 * ```ts
 * hiddenMseSpecification.compute(student, teacher, { mask });
 * ```
 */
export const hiddenMseSpecification: DistillationLoss<NoOptions> = {
  specificationVersion: 'v1',
  name: 'distill/hidden-mse',
  description: 'Masked mean squared error of hidden states [batch, seq, hidden]',
  optionsSchema: noOptionsSchema,
  properties: distance,
  compute: (student, teacher, options) => hiddenMse(student, teacher, { mask: options.mask }),
};

/**
 * `distill/attention-mse`: {@link attentionMse} (TinyBERT, pre-softmax scores).
 *
 * @example
 * ```ts
 * attentionMseSpecification.compute(student, teacher, { mask });
 * ```
 */
export const attentionMseSpecification: DistillationLoss<NoOptions> = {
  specificationVersion: 'v1',
  name: 'distill/attention-mse',
  description: 'Masked mean squared error of attention scores [batch, heads, seq, seq]',
  optionsSchema: noOptionsSchema,
  properties: distance,
  compute: (student, teacher, options) => attentionMse(student, teacher, { mask: options.mask }),
};

/**
 * `distill/attention-kl`: {@link attentionKl} (MiniLM attention transfer).
 *
 * @example
 * ```ts
 * attentionKlSpecification.compute(student, teacher, { mask });
 * ```
 */
export const attentionKlSpecification: DistillationLoss<NoOptions> = {
  specificationVersion: 'v1',
  name: 'distill/attention-kl',
  description: 'KL(teacher ‖ student) of attention probabilities per head and query row',
  optionsSchema: noOptionsSchema,
  properties: distance,
  compute: (student, teacher, options) => attentionKl(student, teacher, { mask: options.mask }),
};

/**
 * `distill/cosine-embedding`: {@link cosineEmbeddingLoss} (DistilBERT).
 *
 * @example
 * ```ts
 * cosineEmbeddingLossSpecification.compute(student, teacher, { mask });
 * ```
 */
export const cosineEmbeddingLossSpecification: DistillationLoss<NoOptions> = {
  specificationVersion: 'v1',
  name: 'distill/cosine-embedding',
  description: 'Mean of 1 − cos(student, teacher) over unmasked positions (DistilBERT)',
  optionsSchema: noOptionsSchema,
  properties: distance,
  compute: (student, teacher, options) => cosineEmbeddingLoss(student, teacher, { mask: options.mask }),
};

/**
 * `distill/pkd`: {@link pkdLoss} (BERT-PKD, [CLS] only, so the mask is ignored).
 *
 * @example
 * ```ts
 * pkdLossSpecification.compute(student, teacher, {});
 * ```
 */
export const pkdLossSpecification: DistillationLoss<NoOptions> = {
  specificationVersion: 'v1',
  name: 'distill/pkd',
  description: 'Squared distance of the L2-normalised [CLS] vectors (BERT-PKD)',
  optionsSchema: noOptionsSchema,
  properties: distance,
  compute: (student, teacher) => pkdLoss(student, teacher),
};

/**
 * `distill/value-relation-kl`: {@link valueRelationKl} (MiniLM).
 *
 * @example
 * ```ts
 * valueRelationKlSpecification.compute(student, teacher, { mask });
 * ```
 */
export const valueRelationKlSpecification: DistillationLoss<NoOptions> = {
  specificationVersion: 'v1',
  name: 'distill/value-relation-kl',
  description: 'KL(teacher ‖ student) of the value relations softmax(V·Vᵀ/√d) (MiniLM)',
  optionsSchema: noOptionsSchema,
  properties: distance,
  compute: (student, teacher, options) => valueRelationKl(student, teacher, { mask: options.mask }),
};

/**
 * Every loss spec of this package, in a stable order.
 *
 * @example
 * ```ts
 * console.log(DISTILLATION_LOSSES.map((loss) => loss.name));
 * ```
 */
export const DISTILLATION_LOSSES = [
  kdCrossEntropySpecification,
  kdKlDivergenceSpecification,
  logitsMseSpecification,
  hiddenMseSpecification,
  attentionMseSpecification,
  attentionKlSpecification,
  cosineEmbeddingLossSpecification,
  pkdLossSpecification,
  valueRelationKlSpecification,
] as const satisfies readonly DistillationLoss[];

/**
 * Registers every loss of this package under its `distill/*` name. Importing the package
 * registers nothing; call this once. Throws if a name is taken, unless `{ override: true }`.
 *
 * @example
 * ```ts
 * const registry = createRegistry();
 * registerLosses(registry);
 * registry.get('distillation-loss', 'distill/kd-kl-divergence');
 * ```
 */
export function registerLosses(registry: Pick<Registry, 'register'>, options: RegisterOptions = {}): void {
  for (const loss of DISTILLATION_LOSSES) registry.register('distillation-loss', loss, options);
}
