/**
 * The sparsities of the table's rows, with their variant names (the "+ QAT" rows add `+qat`).
 *
 * @example
 * ```ts
 * PRUNE_OFA_SPARSITIES.map((item) => item.variant); // ['85', '90']
 * ```
 */
export const PRUNE_OFA_SPARSITIES = [
  { variant: '85', sparsity: 0.85 },
  { variant: '90', sparsity: 0.9 },
] as const;

/**
 * The row variants, in table order.
 *
 * @example
 * ```ts
 * PRUNE_OFA_VARIANTS[3]; // '85+qat'
 * ```
 */
export const PRUNE_OFA_VARIANTS = ['dense', '85', '90', '85+qat', '90+qat'] as const;

/** One of {@link PRUNE_OFA_VARIANTS}. */
export type PruneOfaVariant = (typeof PRUNE_OFA_VARIANTS)[number];
