import { readFileSync } from 'node:fs';
import { ConfigError } from '@pofa/core';
import { describe, expect, it } from 'vitest';
import { QuantizationError } from '../errors/quantization-error';
import { integerRange } from './integer-range';
import { MIN_SCALE, quantParams, type QuantParamsOptions } from './quant-params';

interface GoldenCase {
  name: string;
  options: { bits: number; symmetric: boolean; narrowRange?: boolean; axis?: number };
  min: number | number[];
  max: number | number[];
  scale: number | number[];
  zeroPoint: number | number[];
}

const golden = JSON.parse(readFileSync(new URL('./__fixtures__/quant-params.json', import.meta.url), 'utf8')) as { cases: GoldenCase[] };

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('integerRange', () => {
  it('gives the signed, unsigned and narrow ranges', () => {
    expect(integerRange({ bits: 8, signed: true, narrowRange: true })).toEqual({ quantMin: -127, quantMax: 127 });
    expect(integerRange({ bits: 8, signed: true, narrowRange: false })).toEqual({ quantMin: -128, quantMax: 127 });
    expect(integerRange({ bits: 8, signed: false, narrowRange: false })).toEqual({ quantMin: 0, quantMax: 255 });
    expect(integerRange({ bits: 4, signed: true, narrowRange: true })).toEqual({ quantMin: -7, quantMax: 7 });
    expect(integerRange({ bits: 2, signed: false, narrowRange: true })).toEqual({ quantMin: 1, quantMax: 3 });
  });
});

describe('quantParams, worked by hand', () => {
  it('signed symmetric narrow int8: scale = max(|min|, |max|) / 127, zero point 0', () => {
    expect(quantParams({ min: -1, max: 127 / 32, symmetric: true })).toEqual({ scale: 1 / 32, zeroPoint: 0, quantMin: -127, quantMax: 127 });
    expect(quantParams({ min: -127 / 16, max: 1, symmetric: true })).toMatchObject({ scale: 1 / 16, zeroPoint: 0 });
  });

  it('signed symmetric full int8 divides by (127 + 128) / 2, as PyTorch', () => {
    expect(quantParams({ min: -127.5, max: 3, symmetric: true, narrowRange: false })).toEqual({ scale: 1, zeroPoint: 0, quantMin: -128, quantMax: 127 });
  });

  it('unsigned asymmetric uint8: extends the range to 0, zero point = round(−min / scale)', () => {
    // span 255/256 over 255 steps: scale 1/256; zero point 0 − round(−100) = 100
    expect(quantParams({ min: -100 / 256, max: 155 / 256, symmetric: false })).toEqual({ scale: 1 / 256, zeroPoint: 100, quantMin: 0, quantMax: 255 });
    // all positive: the range becomes [0, 3.984375], so 0 is exact with zero point 0
    expect(quantParams({ min: 0.5, max: 255 / 64, symmetric: false })).toMatchObject({ scale: 1 / 64, zeroPoint: 0 });
    // all negative: [−31.875, 0] → zero point 255
    expect(quantParams({ min: -255 / 8, max: -1, symmetric: false })).toMatchObject({ scale: 1 / 8, zeroPoint: 255 });
    // a tie in the zero point rounds half to even: −round(−100.5) = 100
    expect(quantParams({ min: -100.5, max: 154.5, symmetric: false })).toMatchObject({ scale: 1, zeroPoint: 100 });
  });

  it('supports other widths and signed asymmetric ranges', () => {
    expect(quantParams({ min: -7, max: 2, bits: 4, symmetric: true })).toEqual({ scale: 1, zeroPoint: 0, quantMin: -7, quantMax: 7 });
    expect(quantParams({ min: -2, max: 127 / 64, symmetric: false, signed: true })).toEqual({ scale: 1 / 64, zeroPoint: 0, quantMin: -128, quantMax: 127 });
  });

  it('gives a degenerate range a tiny positive scale, never 0 or NaN', () => {
    expect(quantParams({ min: 0, max: 0, symmetric: true })).toMatchObject({ scale: MIN_SCALE, zeroPoint: 0 });
    expect(quantParams({ min: 0, max: 0, symmetric: false })).toMatchObject({ scale: MIN_SCALE, zeroPoint: 0 });
  });

  it('returns arrays per channel or group and passes axis and groupSize through', () => {
    const params = quantParams({ min: [-1, 0, -0.5], max: [127 / 64, 0, 0.25], symmetric: true, axis: 0, groupSize: 4 });
    expect(params).toEqual({ scale: [1 / 64, MIN_SCALE, 0.5 / 127].map(Math.fround), zeroPoint: [0, 0, 0], quantMin: -127, quantMax: 127, axis: 0, groupSize: 4 });
  });
});

describe('quantParams against torch MinMaxObserver.calculate_qparams (torch 1.13)', () => {
  it.each(golden.cases.map((entry) => [entry.name, entry] as const))('%s', (_name, entry) => {
    const params = quantParams({ ...entry.options, min: entry.min, max: entry.max });
    expect(params.scale).toEqual(entry.scale);
    expect(params.zeroPoint).toEqual(entry.zeroPoint);
  });
});

describe('quantParams, bad input', () => {
  const cases: Array<[string, QuantParamsOptions, RegExp]> = [
    ['1 bit', { min: -1, max: 1, bits: 1, symmetric: true }, /bits/],
    ['17 bits', { min: -1, max: 1, bits: 17, symmetric: true }, /bits/],
    ['a fractional number of bits', { min: -1, max: 1, bits: 7.5, symmetric: true }, /bits/],
    ['min > max', { min: 1, max: -1, symmetric: true }, /min <= max/],
    ['a NaN bound', { min: Number.NaN, max: 1, symmetric: false }, /finite/],
    ['per-channel arrays of different lengths', { min: [0, 0], max: [1, 1, 1], symmetric: false }, /length/],
  ];
  it.each(cases)('rejects %s with a QuantizationError', (_name, options, message) => {
    const error = thrown(() => quantParams(options));
    expect(QuantizationError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(message);
  });

  it('rejects an unknown option with a ConfigError that names it', () => {
    const error = thrown(() => quantParams({ min: 0, max: 1, symmetric: true, narrow: true } as QuantParamsOptions));
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/narrow/);
  });
});
