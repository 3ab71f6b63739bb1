import { z } from 'zod';

/**
 * Config fields of structurally pruned models, shared by BERT and DistilBERT:
 * `pruned_heads` is Hugging Face's (`{ "layer": [original head indices] }`, written to
 * `config.json` by `prune_heads` and honoured by `from_pretrained`); `intermediate_sizes`
 * is pofa's own (one FFN width per layer; Hugging Face cannot load a checkpoint that needs it).
 */
export const structureFieldsSchema = {
  pruned_heads: z
    .record(z.string().regex(/^\d+$/, 'layer keys must be layer indices'), z.array(z.number().int().min(0)))
    .optional()
    .transform((heads) => (heads === undefined ? undefined : normalizePrunedHeads(heads))),
  intermediate_sizes: z.array(z.number().int().positive()).optional(),
};

function normalizePrunedHeads(heads: Record<string, number[]>): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [layer, list] of Object.entries(heads)) {
    if (list.length > 0) out[String(Number(layer))] = [...new Set(list)].sort((a, b) => a - b);
  }
  return out;
}

/** The shape fields the structure checks need, under family-neutral names. */
export interface StructureShape {
  layers: number;
  heads: number;
  /** The config field names, for messages. */
  names: { layers: string; heads: string };
}

/** Adds a zod issue for each inconsistent structure field (called from the config schemas' `superRefine`). */
export function checkStructureFields(
  config: { pruned_heads?: Record<string, number[]>; intermediate_sizes?: number[] },
  shape: StructureShape,
  context: z.RefinementCtx,
): void {
  for (const [layer, heads] of Object.entries(config.pruned_heads ?? {})) {
    if (Number(layer) >= shape.layers) {
      context.addIssue({ code: z.ZodIssueCode.custom, path: ['pruned_heads', layer], message: `layer ${layer} does not exist (${shape.names.layers} is ${shape.layers})` });
    }
    const outside = heads.filter((head) => head >= shape.heads);
    if (outside.length > 0) {
      context.addIssue({ code: z.ZodIssueCode.custom, path: ['pruned_heads', layer], message: `heads ${outside.join(', ')} do not exist (${shape.names.heads} is ${shape.heads})` });
    }
    if (heads.length >= shape.heads) {
      context.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['pruned_heads', layer],
        message: `every head of layer ${layer} is pruned; pofa keeps at least one head per layer`,
      });
    }
  }
  if (config.intermediate_sizes !== undefined && config.intermediate_sizes.length !== shape.layers) {
    context.addIssue({
      code: z.ZodIssueCode.custom,
      path: ['intermediate_sizes'],
      message: `expected one FFN width per layer (${shape.layers}), received ${config.intermediate_sizes.length}`,
    });
  }
}
