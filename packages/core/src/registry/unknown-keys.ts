import type { z } from 'zod';

interface ZodDefinition {
  typeName?: string;
  schema?: z.ZodTypeAny;
  innerType?: z.ZodTypeAny;
  unknownKeys?: string;
  shape?: () => Record<string, unknown>;
}

/** The object schema under effects, defaults and optionals, when the schema is one. */
function objectDefinition(schema: z.ZodTypeAny): ZodDefinition | undefined {
  let definition = (schema as { _def?: ZodDefinition })._def;
  for (let depth = 0; definition !== undefined && depth < 16; depth++) {
    if (definition.typeName === 'ZodObject') return definition;
    const inner = definition.schema ?? definition.innerType;
    definition = (inner as { _def?: ZodDefinition } | undefined)?._def;
  }
  return undefined;
}

/**
 * The keys of `value` that an object schema would silently drop (zod's default `strip`):
 * in a recipe they are nearly always typos. Empty for non-object schemas and for schemas
 * declared `.passthrough()` or `.strict()` (zod reports the latter itself).
 *
 * @example
 * ```ts
 * unknownKeys(z.object({ sparsity: z.number() }), { sparsty: 0.9 }); // ['sparsty']
 * ```
 */
export function unknownKeys(schema: z.ZodTypeAny, value: unknown): { unknown: string[]; known: string[] } {
  const definition = objectDefinition(schema);
  if (definition === undefined || definition.unknownKeys !== 'strip' || typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { unknown: [], known: [] };
  }
  const known = Object.keys(definition.shape?.() ?? {});
  return { unknown: Object.keys(value).filter((key) => !known.includes(key)), known };
}
