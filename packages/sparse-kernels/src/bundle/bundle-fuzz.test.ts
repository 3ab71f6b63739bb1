import { createRandom, type Random } from '@pofa/core';
import { describe, expect, it } from 'vitest';
import { smallConfig, smallContents } from './__fixtures__/small-encoder';
import { BundleError } from './bundle-error';
import { PREAMBLE_BYTES, SEGMENT_ALIGNMENT } from './bundle-header';
import { crc32 } from './crc32';
import { parseBundle } from './read-bundle';
import { serializeBundle } from './write-bundle';

/** Rebuilds a file around `header` (any JSON) and `data` with a correct preamble and checksum. */
function rebuild(header: unknown, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = Math.ceil((PREAMBLE_BYTES + json.length) / SEGMENT_ALIGNMENT) * SEGMENT_ALIGNMENT;
  const bytes = new Uint8Array(dataStart + data.length + 4);
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode('POFA'));
  view.setUint16(4, 1, true);
  view.setUint32(8, json.length, true);
  view.setBigUint64(16, BigInt(data.length), true);
  bytes.set(json, PREAMBLE_BYTES);
  bytes.set(data, dataStart);
  view.setUint32(bytes.length - 4, crc32(bytes, 0, bytes.length - 4), true);
  return bytes;
}

function split(bytes: Uint8Array): { header: Record<string, unknown>; data: Uint8Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const length = view.getUint32(8, true);
  const dataStart = Math.ceil((PREAMBLE_BYTES + length) / SEGMENT_ALIGNMENT) * SEGMENT_ALIGNMENT;
  return { header: JSON.parse(new TextDecoder().decode(bytes.subarray(PREAMBLE_BYTES, PREAMBLE_BYTES + length))), data: bytes.slice(dataStart, bytes.length - 4) };
}

function fixChecksum(bytes: Uint8Array): Uint8Array {
  new DataView(bytes.buffer).setUint32(bytes.length - 4, crc32(bytes, 0, bytes.length - 4), true);
  return bytes;
}

const SPECIAL_NUMBERS = [0, 1, -1, 3, 63, 64, 255, 256, 2 ** 31 - 1, 2 ** 32, 2 ** 53, 1e300, 0.5, Number.NaN];

/** Changes one leaf of a JSON value (a number, a string, an array length) at random. */
function mutateJson(value: unknown, random: Random): unknown {
  if (Array.isArray(value)) {
    if (value.length === 0 || random.next() < 0.05) return random.next() < 0.5 ? [...value, value[0] ?? 0] : value.slice(0, -1);
    const index = random.int(value.length);
    return value.map((item, i) => (i === index ? mutateJson(item, random) : item));
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 0 || random.next() < 0.03) return {};
    const key = keys[random.int(keys.length)];
    if (random.next() < 0.03) {
      const { [key]: _removed, ...rest } = value as Record<string, unknown>;
      return rest;
    }
    return { ...(value as Record<string, unknown>), [key]: mutateJson((value as Record<string, unknown>)[key], random) };
  }
  if (typeof value === 'number') return random.next() < 0.5 ? SPECIAL_NUMBERS[random.int(SPECIAL_NUMBERS.length)] : value + random.int(129) - 64;
  if (typeof value === 'string') return random.next() < 0.5 ? `${value}x` : value.slice(0, Math.max(0, value.length - 1));
  if (typeof value === 'boolean') return !value;
  return 0;
}

function mutateBytes(bytes: Uint8Array, random: Random, region: [number, number]): Uint8Array {
  const out = bytes.slice();
  const edits = 1 + random.int(4);
  for (let i = 0; i < edits; i++) {
    const at = region[0] + random.int(Math.max(1, region[1] - region[0]));
    if (random.next() < 0.5) out[at] ^= 1 << random.int(8);
    else out[at] = random.int(256);
  }
  return out;
}

function expectParseOrBundleError(bytes: Uint8Array, outcomes: { parsed: number; rejected: number }): void {
  try {
    parseBundle(bytes);
    outcomes.parsed++;
  } catch (error) {
    if (!BundleError.isInstance(error)) throw error;
    outcomes.rejected++;
  }
}

describe('parseBundle under fuzzing', () => {
  const bases = [
    serializeBundle(smallContents(smallConfig(), 21, { format: 'csr', vocab: true })),
    serializeBundle(smallContents(smallConfig(), 22, { format: 'block', int8: true })),
    serializeBundle(smallContents(smallConfig({ task: 'masked-lm', pooler: false }), 23, { format: 'bitmask', sparsity: 0.6, int8: true })),
    serializeBundle(smallContents(smallConfig(), 24, { format: 'nm' })),
  ];

  it('parses each unmutated base bundle', () => {
    for (const base of bases) expect(() => parseBundle(base)).not.toThrow();
  });

  it('rejects 2,000 random byte mutations and truncations with a BundleError (checksum and structure)', () => {
    const random = createRandom(1234);
    const outcomes = { parsed: 0, rejected: 0 };
    for (let i = 0; i < 2000; i++) {
      const base = bases[i % bases.length];
      const kind = random.int(3);
      let bytes: Uint8Array;
      if (kind === 0) bytes = mutateBytes(base, random, [0, base.length]);
      else if (kind === 1) bytes = base.subarray(0, random.int(base.length));
      else bytes = fixChecksum(mutateBytes(base, random, [0, base.length - 4]));
      expectParseOrBundleError(bytes, outcomes);
    }
    expect(outcomes.rejected + outcomes.parsed).toBe(2000);
    expect(outcomes.rejected).toBeGreaterThan(1500);
  });

  it('survives 2,000 header and data mutations behind a valid checksum: parses or throws a BundleError', () => {
    const random = createRandom(99);
    const outcomes = { parsed: 0, rejected: 0 };
    for (let i = 0; i < 2000; i++) {
      const { header, data } = split(bases[i % bases.length]);
      const bytes = random.next() < 0.7 ? rebuild(mutateJson(header, random), data) : rebuild(header, mutateBytes(data, random, [0, data.length]));
      expectParseOrBundleError(bytes, outcomes);
    }
    expect(outcomes.rejected).toBeGreaterThan(1000);
  });
});
