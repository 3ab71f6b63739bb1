import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTally, damagedBytes, editedJson, fuzzParameters, readOrRefuse } from '../../../../fuzz.shared';
import { smallConfig, smallContents } from './__fixtures__/small-encoder';
import { PREAMBLE_BYTES, SEGMENT_ALIGNMENT } from './bundle-header';
import type { Bundle } from './bundle-types';
import { crc32 } from './crc32';
import { parseBundle, readBundle } from './read-bundle';
import { serializeBundle } from './write-bundle';

// readBundle and parseBundle on damaged and hostile .pofa files: each reads the bundle or throws a
// PofaError (a BundleError), and what it decodes stays within a budget proportional to the file.

/** Rebuilds a file around `header` (JSON text) and `data` with a right preamble and checksum. */
function rebuild(header: string, data: Uint8Array, declaredDataLength?: bigint): Uint8Array {
  const json = new TextEncoder().encode(header);
  const dataStart = Math.ceil((PREAMBLE_BYTES + json.length) / SEGMENT_ALIGNMENT) * SEGMENT_ALIGNMENT;
  const bytes = new Uint8Array(dataStart + data.length + 4);
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode('POFA'));
  view.setUint16(4, 2, true);
  view.setUint32(8, json.length, true);
  view.setBigUint64(16, declaredDataLength ?? BigInt(data.length), true);
  bytes.set(json, PREAMBLE_BYTES);
  bytes.set(data, dataStart);
  return withChecksum(bytes);
}

function withChecksum(bytes: Uint8Array): Uint8Array {
  if (bytes.length >= 4) new DataView(bytes.buffer, bytes.byteOffset).setUint32(bytes.length - 4, crc32(bytes, 0, bytes.length - 4), true);
  return bytes;
}

function split(bytes: Uint8Array): { header: unknown; data: Uint8Array } {
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  const dataStart = Math.ceil((PREAMBLE_BYTES + length) / SEGMENT_ALIGNMENT) * SEGMENT_ALIGNMENT;
  return { header: JSON.parse(new TextDecoder().decode(bytes.subarray(PREAMBLE_BYTES, PREAMBLE_BYTES + length))), data: bytes.slice(dataStart, bytes.length - 4) };
}

/** Everything a bundle holds, in bytes: what decoding allocated for it. */
function decodedBytes(bundle: Bundle): number {
  let total = 0;
  for (const tensor of bundle.tensors.values()) {
    for (const value of Object.values(tensor)) if (ArrayBuffer.isView(value)) total += value.byteLength;
  }
  return total;
}

const BASES = [
  serializeBundle(smallContents(smallConfig(), 21, { format: 'csr', vocab: true })),
  serializeBundle(smallContents(smallConfig(), 22, { format: 'block', int8: true })),
  serializeBundle(smallContents(smallConfig({ task: 'masked-lm', pooler: false }), 23, { format: 'bitmask', sparsity: 0.6, int8: true })),
  serializeBundle(smallContents(smallConfig(), 24, { format: 'nm' })),
];
const PARTS = BASES.map(split);

let directory: string;
let counter = 0;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'pofa-bundle-fuzz-'));
  BASES.push(new Uint8Array(await readFile(fileURLToPath(new URL('./__fixtures__/v1-small.pofa', import.meta.url)))));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** Reads `bytes` from memory and from a file: both read or both refuse, within the decoding budget. */
async function readBoth(label: string, bytes: Uint8Array): Promise<'read' | 'refused'> {
  const check = (bundle: Bundle): void => {
    expect(decodedBytes(bundle)).toBeLessThanOrEqual(256 * bytes.length + (1 << 20));
  };
  const inMemory = await readOrRefuse(`${label} (parseBundle)`, () => parseBundle(bytes), check);
  const path = join(directory, `case-${counter++}.pofa`);
  await writeFile(path, bytes);
  expect(await readOrRefuse(`${label} (readBundle)`, () => readBundle(path), check)).toBe(inMemory);
  await rm(path);
  return inMemory;
}

const base = fc.nat({ max: 3 });

describe('.pofa bundle reader under fuzzing (fast-check)', () => {
  it('reads every base bundle', async () => {
    for (const [index, bytes] of BASES.entries()) expect(await readBoth(`base ${index}`, bytes)).toBe('read');
  });

  it('refuses every truncation of a bundle', async () => {
    const bytes = BASES[0];
    for (let length = 0; length < bytes.length; length++) expect(await readOrRefuse(`truncated to ${length}`, () => parseBundle(bytes.subarray(0, length)))).toBe('refused');
  }, 30_000);

  it('refuses damaged bundles (the checksum catches them) and reads or refuses them behind a fixed checksum', async () => {
    const tally = createTally();
    const damaged = base.chain((index) => fc.tuple(fc.constant(index), damagedBytes(BASES[index]), fc.boolean()));
    await fc.assert(
      fc.asyncProperty(damaged, async ([index, bytes, fixChecksum]) => {
        const outcome = await readBoth(`base ${index} damaged${fixChecksum ? ', checksum fixed' : ''} (${bytes.length} bytes)`, fixChecksum ? withChecksum(bytes.slice()) : bytes);
        tally.add(outcome);
      }),
      fuzzParameters(300),
    );
    expect(tally.refused).toBeGreaterThan(200);
  }, 30_000);

  it('reads or refuses headers with hostile values (1e999, 2^40 sizes, deep nesting) behind a valid checksum', async () => {
    const tally = createTally();
    const edited = base.chain((index) => fc.tuple(fc.constant(index), editedJson(PARTS[index].header)));
    await fc.assert(
      fc.asyncProperty(edited, async ([index, header]) => tally.add(await readBoth(`base ${index} header ${header.slice(0, 200)}`, rebuild(header, PARTS[index].data)))),
      fuzzParameters(300),
    );
    // The header schema is strict: few edits leave a bundle that still reads.
    expect(tally.read).toBeGreaterThan(0);
    expect(tally.refused).toBeGreaterThan(200);
  }, 30_000);

  it('reads or refuses damaged data sections behind a valid checksum', async () => {
    const tally = createTally();
    const damaged = base.chain((index) => fc.tuple(fc.constant(index), damagedBytes(PARTS[index].data)));
    await fc.assert(
      fc.asyncProperty(damaged, async ([index, data]) => tally.add(await readBoth(`base ${index} data damaged`, rebuild(JSON.stringify(PARTS[index].header), data)))),
      fuzzParameters(200),
    );
    expect(tally.refused).toBeGreaterThan(50);
  }, 30_000);

  it('refuses huge declared lengths before allocating them', async () => {
    for (const length of [2n ** 32n, 2n ** 40n, 2n ** 53n + 1n, 2n ** 64n - 1n]) {
      expect(await readBoth(`data length ${length}`, rebuild(JSON.stringify(PARTS[0].header), PARTS[0].data, length))).toBe('refused');
    }
    const header = PARTS[0].header as { tensors: Array<Record<string, unknown>> };
    const huge = { ...header, tensors: header.tensors.map((entry) => (entry.kind === 'packed' ? { ...entry, kept: 2 ** 40, shape: [2 ** 31 - 1, 2 ** 31 - 1] } : entry)) };
    expect(await readBoth('packed weights of 2^31 x 2^31 with 2^40 kept', rebuild(JSON.stringify(huge), PARTS[0].data))).toBe('refused');
  });
});
