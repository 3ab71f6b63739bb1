import { createHash } from 'node:crypto';
import { ConfigError } from '@pofa/core';

/**
 * JSON with object keys sorted at every level and `undefined` fields left out (`null` in arrays),
 * so two equal settings written in another key order give the same text (a ConfigError past 64
 * levels of nesting). The one canonical form
 * of pofa's identities: stage identities, run settings and cache keys all hash it.
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: { d: [1, 2], c: 'x' } }); // '{"a":{"c":"x","d":[1,2]},"b":1}'
 * ```
 */
export function canonicalJson(value: unknown, depth = 0): string {
  if (depth > MAX_DEPTH) {
    throw new ConfigError('A settings value is nested too deeply to identify', {
      expected: `at most ${MAX_DEPTH} levels of objects and arrays`,
      received: 'more',
      hint: 'Settings and identities are shallow; a file nested this deep was not written by pofa',
    });
  }
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item, depth + 1))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item, depth + 1)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Levels of nesting {@link canonicalJson} accepts: far above any identity, far below the call stack's limit. */
const MAX_DEPTH = 64;

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
