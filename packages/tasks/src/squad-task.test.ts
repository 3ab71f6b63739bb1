import { createRegistry } from '@pofa/core';
import { describe, expect, it } from 'vitest';
import { registerSquadTask, SQUAD_TASK } from './squad-task';

describe('SQUAD_TASK', () => {
  it('registers as a valid core task spec with a span head and F1 as the primary metric', () => {
    const registry = createRegistry();
    registerSquadTask(registry);
    const spec = registry.get('task', 'squad/v1-1');
    expect(spec).toBe(SQUAD_TASK);
    expect(spec.head).toBe('span');
    expect(spec.metrics).toContain(spec.primaryMetric);
    expect(() => registerSquadTask(registry)).toThrow(/already/);
  });
});
