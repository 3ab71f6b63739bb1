import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every level and `undefined` fields left out (`null` in arrays),
 * so two equal settings written in another key order give the same text. The one canonical form
 * of pofa's identities: stage identities, run settings and cache keys all hash it.
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: { d: [1, 2], c: 'x' } }); // '{"a":{"c":"x","d":[1,2]},"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The hash of an identity (any JSON value: what determines a stage's output, a cached artifact or
 * a whole run): 16 hex digits of the SHA-256 of its {@link canonicalJson}, so key order does not
 * matter and `undefined` fields count as absent.
 *
 * @example
 * ```ts
 * identityHash({ stage: 'sparse-pretrain', steps: 8 }) === identityHash({ steps: 8, stage: 'sparse-pretrain' }); // true
 * ```
 */
export function identityHash(identity: unknown): string {
  return createHash('sha256').update(canonicalJson(identity)).digest('hex').slice(0, 16);
}
