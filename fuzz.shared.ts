import fc from 'fast-check';
import { PofaError } from './packages/core/src/errors/pofa-error';

/**
 * What the `*.fuzz.test.ts` files share: the fast-check settings (seeded, so CI runs the same
 * cases every time), the one property every reader keeps — it returns a valid result or throws a
 * PofaError with a code, never a TypeError or RangeError, and never takes long — and arbitraries
 * that damage a valid file: bit flips, truncations, inserted and deleted bytes, and JSON values
 * replaced by hostile ones (1e999, -0, 2^53 + 1, huge sizes, deep nesting, lone surrogates).
 */

/** The seed of every fuzz property; a failure prints its own seed and path to replay it. */
export const FUZZ_SEED = 20_211_110;

/** Longest time one case may take (a reader that slows down on some input fails the property). */
export const CASE_MILLISECONDS = 2_000;

/** The longest counterexample a failure prints (a case can hold 100,000 characters). */
const REPORTED_CHARACTERS = 600;

/**
 * fast-check parameters for `numRuns` seeded cases. A failure reports the seed and path that
 * replay it, the error, and the counterexample cut to {@link REPORTED_CHARACTERS}.
 */
export function fuzzParameters<T>(numRuns: number): fc.Parameters<T> {
  return {
    seed: FUZZ_SEED,
    numRuns,
    endOnFailure: true,
    reporter: (details) => {
      if (!details.failed) return;
      const example = fc.stringify(details.counterexample);
      const shown = example.length > REPORTED_CHARACTERS ? `${example.slice(0, REPORTED_CHARACTERS)}... (${example.length} characters)` : example;
      const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
      throw new Error(`Property failed after ${details.numRuns} cases (replay: { seed: ${details.seed}, path: "${details.counterexamplePath}" })\n${error}\nCounterexample: ${shown}`, { cause: details.errorInstance });
    },
  };
}

/**
 * Runs `read` and says whether it `read` the input or `refused` it with a PofaError carrying a
 * non-empty code and message. Any other throw, or a case slower than {@link CASE_MILLISECONDS},
 * fails with a message that names `input` (a short description of the case). `check` runs on a
 * result, to assert what a valid result must satisfy.
 */
export async function readOrRefuse<T>(input: string, read: () => T | Promise<T>, check?: (value: T) => void | Promise<void>): Promise<'read' | 'refused'> {
  const started = performance.now();
  let outcome: 'read' | 'refused';
  try {
    const value = await read();
    if (check !== undefined) await check(value);
    outcome = 'read';
  } catch (error) {
    if (!PofaError.isInstance(error)) {
      throw new Error(`${input}: threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)} instead of a PofaError`, { cause: error });
    }
    if (typeof error.code !== 'string' || !/^POFA_[A-Z0-9_]+$/.test(error.code) || error.message === '') {
      throw new Error(`${input}: a PofaError without a code or message (${String(error.code)}: ${error.message})`);
    }
    outcome = 'refused';
  }
  const elapsed = performance.now() - started;
  if (elapsed > CASE_MILLISECONDS) throw new Error(`${input}: took ${Math.round(elapsed)} ms (limit ${CASE_MILLISECONDS} ms)`);
  return outcome;
}

/** Counts of what a property's cases did, to check that both outcomes were explored. */
export function createTally(): { read: number; refused: number; add(outcome: 'read' | 'refused'): void } {
  return {
    read: 0,
    refused: 0,
    add(outcome) {
      this[outcome] += 1;
    },
  };
}

/** One damage to a byte string; {@link damagedBytes} applies one to three of them. */
type ByteDamage =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; count: number };

/** Bytes that break text formats most: NUL, invalid UTF-8 leads and continuations, quotes, brackets, tabs and newlines. */
const HOSTILE_BYTES = [0x00, 0xff, 0xfe, 0xc0, 0x80, 0xed, 0xf4, 0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x3a, 0x2c, 0x09, 0x0a, 0x0d, 0x2d, 0x31, 0x39, 0x65];

const byteDamage: fc.Arbitrary<ByteDamage> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.oneof(fc.constantFrom(...HOSTILE_BYTES), fc.integer({ min: 0, max: 255 })) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 16 }) }),
);

function applyDamage(bytes: Uint8Array, damage: ByteDamage, region: readonly [number, number]): Uint8Array {
  const span = Math.max(1, Math.min(bytes.length, region[1]) - region[0]);
  const at = Math.min(bytes.length, region[0] + (damage.at % span));
  switch (damage.kind) {
    case 'flip':
    case 'set': {
      if (at >= bytes.length) return bytes;
      const out = bytes.slice();
      out[at] = damage.kind === 'flip' ? out[at] ^ (1 << damage.bit) : damage.value;
      return out;
    }
    case 'truncate':
      return bytes.slice(0, at);
    case 'insert': {
      const out = new Uint8Array(bytes.length + damage.bytes.length);
      out.set(bytes.subarray(0, at));
      out.set(damage.bytes, at);
      out.set(bytes.subarray(at), at + damage.bytes.length);
      return out;
    }
    case 'delete': {
      const out = new Uint8Array(Math.max(at, bytes.length - damage.count));
      out.set(bytes.subarray(0, at));
      out.set(bytes.subarray(at + damage.count), at);
      return out;
    }
  }
}

/**
 * `valid` with one to three damages (bit flips, hostile or random bytes, a truncation, inserted or
 * deleted bytes), placed within `region` (by default anywhere).
 *
 * @example
 * ```ts
 * fc.assert(fc.asyncProperty(damagedBytes(validFile), async (bytes) => { ... }), fuzzParameters(300));
 * ```
 */
export function damagedBytes(valid: Uint8Array, region: readonly [number, number] = [0, valid.length]): fc.Arbitrary<Uint8Array> {
  // A plain copy: a Buffer's slice() is a view, and damage must never reach the original.
  const original = Uint8Array.from(valid);
  return fc.array(byteDamage, { minLength: 1, maxLength: 3 }).map((damages) => damages.reduce<Uint8Array>((bytes, damage) => applyDamage(bytes, damage, region), original));
}

/** A hostile JSON value written as raw text, substituted after `JSON.stringify` (which cannot write most of them). */
const HOSTILE_JSON_TEXT = [
  '1e999',
  '-1e999',
  '-0',
  '1e-400',
  '9007199254740993',
  '1099511627776',
  '18446744073709551616',
  '4294967296',
  '2147483648',
  '-1',
  '0',
  '0.5',
  '1.0000000000000002',
  '""',
  '"\\ud800"',
  '"\\u0000"',
  '"__proto__"',
  'null',
  'true',
  '[]',
  '{}',
  '[-1]',
  '[1099511627776,1099511627776]',
  '{"__proto__":{"polluted":1}}',
  '{"constructor":{"prototype":{"polluted":1}}}',
  `"${'x'.repeat(100_000)}"`,
  `${'['.repeat(20_000)}${']'.repeat(20_000)}`,
  `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`,
];

const MARKER = '\u0000fuzz-hostile-';

/** Every path to a value inside `value` (the root too), as key lists. */
function jsonPaths(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const paths = [prefix];
  if (Array.isArray(value)) value.forEach((item, index) => paths.push(...jsonPaths(item, [...prefix, index])));
  else if (value !== null && typeof value === 'object') for (const [key, item] of Object.entries(value)) paths.push(...jsonPaths(item, [...prefix, key]));
  return paths;
}

/** One edit of a JSON document: replace a value (by a hostile one or another value of the document), delete it, or add a key. */
interface JsonEdit {
  path: Array<string | number>;
  action: 'hostile' | 'swap' | 'delete' | 'add';
  hostile: number;
  other: Array<string | number>;
}

function applyEdit(document: unknown, edit: JsonEdit, substitutions: string[]): unknown {
  const replacement = (): unknown => {
    if (edit.action === 'swap') return structuredClone(edit.other.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)?.[key], document));
    substitutions.push(HOSTILE_JSON_TEXT[edit.hostile % HOSTILE_JSON_TEXT.length]);
    return `${MARKER}${substitutions.length - 1}`;
  };
  if (edit.path.length === 0) return edit.action === 'delete' ? {} : replacement();
  const copy = structuredClone(document);
  const parent = edit.path.slice(0, -1).reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], copy) as Record<string | number, unknown>;
  const key = edit.path[edit.path.length - 1];
  if (edit.action === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  } else if (edit.action === 'add' && !Array.isArray(parent)) {
    parent[`${String(key)}_extra`] = replacement();
  } else {
    parent[key] = replacement();
  }
  return copy;
}

/**
 * The JSON text of `valid` after one to three edits: a value replaced by a hostile one (see
 * {@link HOSTILE_JSON_TEXT}: 1e999, -0, 2^40, 2^64, lone surrogates, 20,000-deep nesting,
 * `__proto__` keys) or by another value of the document, a value deleted, or a key added.
 *
 * @example
 * ```ts
 * fc.assert(fc.asyncProperty(editedJson(config), async (text) => { ... }), fuzzParameters(300));
 * ```
 */
export function editedJson(valid: unknown): fc.Arbitrary<string> {
  const edit = (paths: Array<Array<string | number>>): fc.Arbitrary<JsonEdit> =>
    fc.record({
      path: fc.constantFrom(...paths),
      action: fc.constantFrom('hostile' as const, 'hostile' as const, 'swap' as const, 'delete' as const, 'add' as const),
      hostile: fc.nat(),
      other: fc.constantFrom(...paths),
    });
  return fc.array(fc.nat(), { minLength: 1, maxLength: 3 }).chain((seeds) =>
    fc.tuple(...seeds.map(() => edit(jsonPaths(valid)))).map((edits) => {
      const substitutions: string[] = [];
      let document: unknown = valid;
      // Later edits address the first document's paths; one that no longer leads anywhere is skipped.
      for (const one of edits) {
        try {
          document = applyEdit(document, one, substitutions);
        } catch {
          continue;
        }
      }
      const text = JSON.stringify(document) ?? 'null';
      return text.replace(/"\\u0000fuzz-hostile-(\d+)"/g, (_match, index: string) => substitutions[Number(index)]);
    }),
  );
}

/** Arbitrary bytes, half of them printable text (closer to what text readers meet). */
export const arbitraryBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 512 }),
  fc.string({ unit: 'binary', maxLength: 256 }).map((text) => new TextEncoder().encode(text)),
);
