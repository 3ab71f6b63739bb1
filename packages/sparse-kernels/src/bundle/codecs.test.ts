import { createRandom } from '@pofa/core';
import { describe, expect, it } from 'vitest';
import { BundleError } from './bundle-error';
import { crc32 } from './crc32';
import { byteEntropy, decodeHuffman, encodeHuffman, huffmanLengths } from './huffman-code';
import { bestRiceParameter, decodeRice, encodeRice } from './rice-code';

function randomPositions(seed: number, grid: number, density: number): Uint32Array {
  const random = createRandom(seed);
  const kept: number[] = [];
  for (let i = 0; i < grid; i++) if (random.next() < density) kept.push(i);
  return Uint32Array.from(kept);
}

const binaryEntropy = (p: number) => -(p * Math.log2(p) + (1 - p) * Math.log2(1 - p));

describe('crc32', () => {
  it('matches the standard check value of "123456789"', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});

describe('Rice-coded positions', () => {
  it('round-trips ascending positions, including the first and last cell', () => {
    for (const positions of [new Uint32Array([0, 1, 2, 99]), randomPositions(1, 5000, 0.1), new Uint32Array([])]) {
      const { parameter } = bestRiceParameter(positions);
      expect(decodeRice(encodeRice(positions, parameter), positions.length, parameter, 5000)).toEqual(positions);
    }
  });

  it('codes a random 10%-dense mask within 4% of its entropy H(0.1) per cell', () => {
    const grid = 200_000;
    const positions = randomPositions(2, grid, 0.1);
    const { parameter, bits } = bestRiceParameter(positions);
    const bytes = encodeRice(positions, parameter);
    expect(bytes.length).toBe(Math.ceil(bits / 8));
    const entropy = binaryEntropy(positions.length / grid) * grid;
    expect(bits).toBeGreaterThan(entropy);
    expect(bits / entropy).toBeLessThan(1.04);
  });

  it('rejects positions past the bound, a short stream and trailing bytes', () => {
    const positions = new Uint32Array([3, 10, 40]);
    const bytes = encodeRice(positions, 2);
    expect(() => decodeRice(bytes, 3, 2, 40)).toThrow(BundleError);
    expect(() => decodeRice(bytes.subarray(0, bytes.length - 1), 3, 2, 64)).toThrow(BundleError);
    expect(() => decodeRice(new Uint8Array([...bytes, 0]), 3, 2, 64)).toThrow(BundleError);
    expect(() => decodeRice(bytes, 1000, 2, 64)).toThrow(BundleError);
  });
});

describe('Huffman-coded values', () => {
  it('round-trips bytes and spends between H and H + 1 bits per symbol', () => {
    const random = createRandom(3);
    const symbols = new Uint8Array(50_000);
    for (let i = 0; i < symbols.length; i++) symbols[i] = Math.round(random.normal() * 20) & 0xff;
    const counts = new Float64Array(256);
    for (const s of symbols) counts[s]++;
    const lengths = huffmanLengths(counts);
    const bytes = encodeHuffman(symbols, lengths);
    expect(decodeHuffman(bytes, symbols.length, lengths)).toEqual(symbols);
    const bitsPerSymbol = (bytes.length * 8) / symbols.length;
    const entropy = byteEntropy(symbols);
    expect(bitsPerSymbol).toBeGreaterThanOrEqual(entropy);
    expect(bitsPerSymbol).toBeLessThan(entropy + 1);
  });

  it('limits code lengths to 15 bits for skewed counts', () => {
    const counts = new Float64Array(256);
    for (let s = 0; s < 40; s++) counts[s] = 2 ** Math.min(s, 40);
    expect(Math.max(...huffmanLengths(counts))).toBeLessThanOrEqual(15);
  });

  it('codes a single repeated symbol with one bit each', () => {
    const counts = new Float64Array(256);
    counts[7] = 10;
    const lengths = huffmanLengths(counts);
    const symbols = new Uint8Array(10).fill(7);
    expect(decodeHuffman(encodeHuffman(symbols, lengths), 10, lengths)).toEqual(symbols);
  });

  it('rejects oversubscribed lengths and unknown codes', () => {
    const lengths = new Uint8Array(256);
    lengths[0] = 1;
    lengths[1] = 1;
    lengths[2] = 1;
    expect(() => decodeHuffman(new Uint8Array([0]), 1, lengths)).toThrow(BundleError);
    const sparse = new Uint8Array(256);
    sparse[0] = 2;
    expect(() => decodeHuffman(new Uint8Array([0xff]), 1, sparse)).toThrow(BundleError);
  });
});
