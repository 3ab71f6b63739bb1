import type { DistillationLoss } from './specs/distillation-loss';
import type { ModelFamily } from './specs/model-family';
import type { ModifierFactory } from './specs/modifier-factory';
import type { PruningMethod } from './specs/pruning-method';
import type { SparsitySchedule } from './specs/sparsity-schedule';
import type { TaskSpecification } from './specs/task-specification';

/**
 * The spec type stored under each registry kind.
 *
 * @example
 * ```ts
 * type Method = SpecificationsByKind['pruning-method']; // PruningMethod
 * ```
 */
export interface SpecificationsByKind {
  'pruning-method': PruningMethod;
  'sparsity-schedule': SparsitySchedule;
  'distillation-loss': DistillationLoss;
  task: TaskSpecification;
  'model-family': ModelFamily;
  modifier: ModifierFactory;
}

/** The kinds of plugin a registry holds. */
export type SpecificationKind = keyof SpecificationsByKind;

/**
 * Every {@link SpecificationKind}, in a stable order.
 *
 * @example
 * ```ts
 * for (const kind of SPECIFICATION_KINDS) console.log(kind, registry.list(kind));
 * ```
 */
export const SPECIFICATION_KINDS: readonly SpecificationKind[] = [
  'pruning-method',
  'sparsity-schedule',
  'distillation-loss',
  'task',
  'model-family',
  'modifier',
];

/**
 * True when `value` names a {@link SpecificationKind}.
 *
 * @example
 * ```ts
 * isSpecificationKind('model-family'); // true
 * ```
 */
export function isSpecificationKind(value: unknown): value is SpecificationKind {
  return typeof value === 'string' && (SPECIFICATION_KINDS as readonly string[]).includes(value);
}
