import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Linear } from '../nn/linear';
import { Module } from '../nn/module';
import type { ModelFamily } from '../registry/specs/model-family';
import { initBackend } from '../tensor/backend';
import { tf } from '../tensor/tf';
import { checkModelFamily } from './check-model-family';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

class TwoLayers extends Module {
  readonly first: Linear;
  readonly second: Linear;
  constructor(width: number) {
    super();
    this.first = this.addModule('first', new Linear(width, width));
    this.second = this.addModule('second', new Linear(width, 2));
  }
}

const configSchema = z.object({ model_type: z.literal('toy-two'), width: z.number().int().positive() });
const config = { model_type: 'toy-two', width: 3 };

function family(create: (parsed: z.output<typeof configSchema>) => Module, overrides: Partial<ModelFamily> = {}): ModelFamily {
  return { specificationVersion: 'v1', name: 'toy/two', modelType: 'toy-two', configSchema, create: create as ModelFamily['create'], ...overrides };
}

const failedChecks = (failures: Array<{ check: string }>): string[] => [...new Set(failures.map((failure) => failure.check))];

describe('checkModelFamily', () => {
  it('passes a family built from core modules, leaking nothing itself', () => {
    const before = tf.memory().numTensors;
    expect(checkModelFamily(family(({ width }) => new TwoLayers(width)), { config })).toEqual([]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports a config the schema rejects, and a spec without modelType', () => {
    const failures = checkModelFamily(family(({ width }) => new TwoLayers(width), { modelType: '' }), { config: { model_type: 'toy-two', width: 0 } });
    expect(failures).toContainEqual({ check: 'is a valid v1 model-family spec', message: 'modelType: expected a non-empty string, received ""' });
    expect(failures).toContainEqual({ check: 'configSchema parses the sample config.json', message: 'width: Number must be greater than 0' });
  });

  it('reports a create() that returns no Module', () => {
    const failures = checkModelFamily(family(() => ({ forward: () => undefined }) as never), { config });
    expect(failedChecks(failures)).toEqual(['create() returns a Module with uniquely named parameters', 'a state dict of its parameter names loads exactly', 'creating and disposing a model leaks no tensors']);
    expect(failures[0].message).toBe('create() returned an object without namedParameters, stateDict, loadStateDict, eval, dispose: extend Module from @pofa/core');
  });

  it('reports a model whose loadStateDict ignores the tensors', () => {
    class Deaf extends TwoLayers {
      override loadStateDict() {
        return { missing: [], unexpected: [] };
      }
    }
    const failures = checkModelFamily(family(({ width }) => new Deaf(width)), { config });
    expect(failedChecks(failures)).toEqual(['a state dict of its parameter names loads exactly']);
    expect(failures[0].message).toBe('first.weight holds other values after loadStateDict');
  });

  it('reports tensors a model keeps outside its parameters', () => {
    const kept: tf.Tensor[] = [];
    class Leaky extends TwoLayers {
      constructor(width: number) {
        super(width);
        kept.push(tf.ones([width]));
      }
    }
    const failures = checkModelFamily(family(({ width }) => new Leaky(width)), { config });
    expect(failedChecks(failures)).toEqual(['creating and disposing a model leaks no tensors']);
    expect(failures[0].message).toContain('1 tensors left');
    tf.dispose(kept);
  });
});
