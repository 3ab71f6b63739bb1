import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { unpackWeight } from '../formats/unpack-weight';
import type { PackedFormat } from '../formats/packed-weight';
import { smallConfig, smallContents } from './__fixtures__/small-encoder';
import { BundleError } from './bundle-error';
import { isPackedWeight } from './bundle-types';
import { compressionReport } from './compression-report';
import { parseBundle, readBundle } from './read-bundle';
import { serializeBundle, writeBundle } from './write-bundle';

const directory = await mkdtemp(join(tmpdir(), 'pofa-bundle-'));
afterAll(() => rm(directory, { recursive: true, force: true }));

const FORMATS: PackedFormat[] = ['dense', 'csr', 'block', 'nm', 'bitmask'];

describe('writeBundle / readBundle', () => {
  it.each(FORMATS.flatMap((format) => [{ format, int8: false }, { format, int8: true }]))('round-trips every tensor exactly ($format, int8 $int8)', async ({ format, int8 }) => {
    const contents = smallContents(smallConfig(), 11, { format, int8, vocab: true });
    const path = join(directory, `${format}-${int8}.pofa`);
    const size = await writeBundle(path, contents);
    expect((await readFile(path)).length).toBe(size);
    const bundle = await readBundle(path);
    expect(bundle.config).toEqual(contents.config);
    expect(bundle.vocab).toEqual(contents.vocab);
    expect(bundle.quantization).toEqual(contents.quantization);
    const original = contents.tensors as Map<string, ReturnType<typeof bundle.tensors.get>>;
    expect([...bundle.tensors.keys()].sort()).toEqual([...original.keys()].sort());
    for (const [name, tensor] of bundle.tensors) {
      const source = original.get(name)!;
      if (!isPackedWeight(tensor) || !isPackedWeight(source)) {
        expect(tensor).toEqual(source);
        continue;
      }
      expect(tensor.format).toBe(format);
      expect(tensor.dtype).toBe(int8 ? 'int8' : 'float32');
      expect(tensor.values).toEqual(source.values);
      expect(tensor.scales).toEqual(source.scales);
      expect(unpackWeight(tensor)).toEqual(unpackWeight(source));
      expect(tensor).toEqual(source);
    }
  });

  it('reports 40x nominal at 90% + int8 and an on-disk size within 5% of the entropy bound', () => {
    const config = smallConfig({ hiddenSize: 256, numHeads: 4, headsPerLayer: [4, 4], intermediateSizes: [1024, 1024], numLayers: 2 });
    const contents = smallContents(config, 5, { format: 'csr', sparsity: 0.9, int8: true });
    const report = compressionReport(parseBundle(serializeBundle(contents)));
    expect(report.parameters).toBe(2 * (4 * 256 * 256 + 2 * 256 * 1024));
    expect(report.bits).toBe(8);
    expect(report.nominal).toBeGreaterThan(38);
    expect(report.nominal).toBeLessThan(42);
    expect(report.onDisk).toBeLessThan(report.entropyBound);
    expect(report.onDisk / report.entropyBound).toBeGreaterThan(0.95);
    expect(report.onDisk).toBeGreaterThan(20);
  });

  it('rejects a tensor set or shape that does not match the config', () => {
    const config = smallConfig();
    const contents = smallContents(config, 1);
    const tensors = new Map(contents.tensors as Map<string, never>);
    tensors.delete('classifier.bias');
    expect(() => serializeBundle({ ...contents, tensors })).toThrow(/do not match the encoder config/);
    const reshaped = new Map(contents.tensors as Map<string, never>);
    reshaped.set('classifier.bias', { shape: [4], data: new Float32Array(4) } as never);
    expect(() => serializeBundle({ ...contents, tensors: reshaped })).toThrow(BundleError);
    expect(() => serializeBundle({ ...contents, vocab: ['a'] })).toThrow(/vocabulary/);
  });

  it('rejects a truncated file, a wrong magic, a future version and a flipped bit', () => {
    const bytes = serializeBundle(smallContents(smallConfig(), 2, { vocab: true }));
    expect(() => parseBundle(bytes.subarray(0, bytes.length - 1))).toThrow(/Truncated/);
    expect(() => parseBundle(bytes.subarray(0, 10))).toThrow(/too short/);
    const magic = bytes.slice();
    magic[0] = 0x58;
    expect(() => parseBundle(magic)).toThrow(/Not a .pofa bundle/);
    const version = bytes.slice();
    version[4] = 3;
    expect(() => parseBundle(version)).toThrow(/Unsupported .pofa version/);
    const flipped = bytes.slice();
    flipped[bytes.length - 100] ^= 4;
    expect(() => parseBundle(flipped)).toThrow(/checksum/);
  });
});
