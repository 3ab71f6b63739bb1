import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../errors/config-error';
import { formatKeyPath, parseOptions } from './parse-options';

const schema = z.object({
  sparsity: z.number().min(0).lt(1),
  method: z.enum(['magnitude', 'random']).default('magnitude'),
  block: z.array(z.number().int()).length(2).optional(),
});

function thrownMessage(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(ConfigError.isInstance(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected the action to throw');
}

describe('formatKeyPath', () => {
  it('writes indices in brackets and odd keys quoted', () => {
    expect(formatKeyPath('modifiers[2]', ['options', 'sparsity'])).toBe('modifiers[2].options.sparsity');
    expect(formatKeyPath('', ['modifiers', 0, 'type'])).toBe('modifiers[0].type');
    expect(formatKeyPath('x', ['a b'])).toBe('x["a b"]');
    expect(formatKeyPath('', [])).toBe('(root)');
  });
});

describe('parseOptions', () => {
  it('returns the parsed options with defaults', () => {
    expect(parseOptions(schema, { sparsity: 0.9 }, 'modifiers[0]')).toEqual({ sparsity: 0.9, method: 'magnitude' });
  });

  it('names the offending key path', () => {
    const message = thrownMessage(() => parseOptions(schema, { sparsity: '0.9' }, 'modifiers[2].options'));
    expect(message).toContain('modifiers[2].options.sparsity: expected number, received string');
  });

  it('lists every issue, with the received value for range errors', () => {
    const message = thrownMessage(() => parseOptions(schema, { sparsity: 1.5, method: 'best', block: [4, 1.5] }, 'prune'));
    expect(message).toContain('(3 issues)');
    expect(message).toContain('prune.sparsity: number must be less than 1, received 1.5');
    expect(message).toContain("prune.method: invalid enum value. Expected 'magnitude' | 'random', received 'best'");
    expect(message).toContain('prune.block[1]: expected integer, received float');
  });

  it('says which keys are required', () => {
    expect(thrownMessage(() => parseOptions(schema, {}, 'modifiers[0]'))).toContain('modifiers[0].sparsity: required (expected number)');
  });

  it('reports keys the schema would drop only when asked, with a suggestion', () => {
    expect(parseOptions(schema, { sparsity: 0.5, sparsty: 0.9 }, 'm')).toEqual({ sparsity: 0.5, method: 'magnitude' });
    const message = thrownMessage(() => parseOptions(schema, { sparsity: 0.5, sparsty: 0.9 }, 'm', { rejectUnknownKeys: true }));
    expect(message).toContain('m.sparsty: unknown key (did you mean sparsity?');
  });
});
