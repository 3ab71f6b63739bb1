import { ConfigError, Linear, Module, ModuleList, createMaskTransform, initBackend, tf } from '@pofa/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { encoderSparsity, sparsityReport, formatSparsityReport } from './sparsity-report';
import { matchesTarget, selectTargets } from './targets';

class Attention extends Module {
  readonly query = this.addModule('query', new Linear(4, 4));
}
class Layer extends Module {
  readonly attention = this.addModule('attention', new (class extends Module {
    readonly self = this.addModule('self', new Attention());
  })());
}
class Encoder extends Module {
  readonly layer = this.addModule('layer', new ModuleList([new Layer(), new Layer()]));
}
class TinyBert extends Module {
  readonly encoder = this.addModule('encoder', new Encoder());
  readonly classifier = this.addModule('classifier', new Linear(4, 2));
}

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('targets', () => {
  it('matches dotted-path globs: * is one segment, ** any number', () => {
    expect(matchesTarget('bert.encoder.layer.3.attention.self.query.weight', '**.encoder.layer.*.attention.self.query.weight')).toBe(true);
    expect(matchesTarget('encoder.layer.3.attention.self.query.weight', '**.encoder.layer.*.attention.self.query.weight')).toBe(true);
    expect(matchesTarget('encoder.layer.3.attention.self.query.bias', '**.encoder.layer.*.attention.self.query.weight')).toBe(false);
    expect(matchesTarget('encoder.layer.3.4.attention.self.query.weight', 'encoder.layer.*.attention.self.query.weight')).toBe(false);
  });

  it('selects encoder Linear weights by default, not biases or heads, and rejects patterns that match nothing', () => {
    const model = new TinyBert();
    expect(selectTargets(model).map(([name]) => name)).toEqual([
      'encoder.layer.0.attention.self.query.weight',
      'encoder.layer.1.attention.self.query.weight',
    ]);
    expect(() => selectTargets(model, { include: ['encoder.layers.*.weight'] })).toThrow(ConfigError);
    model.dispose();
  });
});

describe('sparsityReport', () => {
  it('counts non-zeros of the effective weights and computes the nominal compression', () => {
    const model = new TinyBert();
    const [first] = selectTargets(model);
    // 12 of 16 masked in the first tensor, none in the second.
    first[1].addTransform(createMaskTransform(tf.tensor2d([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])));
    const report = sparsityReport(model, { bits: 8 });
    expect(report.rows.map((row) => row.nonZeros)).toEqual([4, 16]);
    expect(report.total).toEqual({ count: 32, nonZeros: 20, sparsity: 1 - 20 / 32 });
    // 32 weights × 32 bits over 20 non-zeros × 8 bits
    expect(report.nominalCompression).toBeCloseTo(6.4, 12);
    expect(report.modelParameters).toBe(2 * (16 + 4) + 8 + 2);
    expect(formatSparsityReport(report)).toContain('| **total** | | 32 | 20 | 37.50% |');
    expect(encoderSparsity(model)).toBe(12 / 32);
    expect(encoderSparsity(model, { include: ['classifier.weight'] })).toBe(0);
    model.dispose();
  });
});
