import { beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError } from '../errors/checkpoint-error';
import { ConfigError } from '../errors/config-error';
import { TrainingError } from '../errors/training-error';
import type { Module } from '../nn/module';
import { createRandom } from '../random';
import { initBackend } from '../tensor/backend';
import { tf } from '../tensor/tf';
import { createModifier, type CreateModifierOptions } from './create-modifier';
import type { LossContext, ModifierContext } from './modifier';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

function context(step: number): ModifierContext {
  return { model: {} as Module, step, random: createRandom(0), log: () => undefined };
}

function lossContext(step: number): LossContext {
  return { ...context(step), batch: undefined, outputs: undefined };
}

/** A modifier whose hooks append `<hook>@<step>` to `events`. */
function traced(options: Omit<CreateModifierOptions, 'kind'>, events: string[]) {
  const record = (name: string) => (ctx: ModifierContext) => void events.push(`${name}@${ctx.step}`);
  return createModifier({
    kind: 'test/traced',
    onInitialize: record('initialize'),
    onStart: record('start'),
    onUpdate: record('update'),
    onEnd: record('end'),
    onFinalize: record('finalize'),
    ...options,
  });
}

function run(modifier: ReturnType<typeof createModifier>, steps: number[], finalStep: number): void {
  void modifier.initialize(context(0));
  for (const step of steps) void modifier.update(context(step));
  void modifier.finalize(context(finalStep));
}

const range = (count: number): number[] => Array.from({ length: count }, (_, index) => index);

describe('createModifier', () => {
  it('fires start once, updates on the every grid inside [start, end), and end once', () => {
    const events: string[] = [];
    run(traced({ start: 2, end: 8, every: 3 }, events), range(10), 10);
    expect(events).toEqual(['initialize@0', 'start@2', 'update@2', 'update@5', 'end@8', 'finalize@10']);
  });

  it('ends in finalize when started but the end was never reached, and not when never started', () => {
    const started: string[] = [];
    run(traced({ start: 1 }, started), range(3), 3);
    expect(started).toEqual(['initialize@0', 'start@1', 'update@1', 'update@2', 'end@3', 'finalize@3']);
    const neverStarted: string[] = [];
    run(traced({ start: 5, end: 9 }, neverStarted), range(3), 3);
    expect(neverStarted).toEqual(['initialize@0', 'finalize@3']);
  });

  it('starts then ends in one update when the first step is already past the end', () => {
    const events: string[] = [];
    run(traced({ start: 2, end: 4 }, events), [7], 8);
    expect(events).toEqual(['initialize@0', 'start@7', 'end@7', 'finalize@8']);
  });

  it('guards the lifecycle with TrainingErrors', () => {
    const fresh = createModifier({ kind: 'test/guarded', modifyLoss: (loss) => loss });
    expect(() => fresh.update(context(0))).toThrow(TrainingError);
    expect(() => fresh.update(context(0))).toThrow('before initialize()');
    expect(() => fresh.modifyLoss?.(tf.scalar(1), lossContext(0))).toThrow(TrainingError);
    expect(() => fresh.finalize(context(0))).toThrow('before initialize()');
    void fresh.initialize(context(0));
    expect(() => fresh.initialize(context(0))).toThrow('initialize() called twice');
    expect(() => fresh.update(context(-1))).toThrow(TrainingError);
    void fresh.finalize(context(1));
    expect(() => fresh.finalize(context(1))).toThrow('finalize() called twice');
    expect(() => fresh.update(context(2))).toThrow('after finalize()');
    expect(() => fresh.modifyLoss?.(tf.scalar(1), lossContext(2))).toThrow('after finalize()');
  });

  it.each([
    [{ start: -1 }, 'start'],
    [{ start: 1.5 }, 'start'],
    [{ every: 0 }, 'every'],
    [{ start: 4, end: 4 }, 'end'],
    [{ start: 4, end: 2 }, 'end'],
  ])('rejects the schedule %j naming %s', (schedule, key) => {
    expect(() => createModifier({ kind: 'test/bad', ...schedule })).toThrow(ConfigError);
    expect(() => createModifier({ kind: 'test/bad', ...schedule })).toThrow(`Invalid ${key}`);
  });

  it('rejects a kind that is not a scope/name key', () => {
    expect(() => createModifier({ kind: 'NoScope' })).toThrow(ConfigError);
  });

  it('applies modifyLoss only while active unless asked otherwise', () => {
    const addOne = (loss: tf.Scalar): tf.Scalar => tf.add(loss, 1);
    const values = (when?: 'active' | 'started' | 'always'): number[] => {
      const modifier = createModifier({ kind: 'test/loss', start: 2, end: 4, modifyLoss: addOne, modifyLossWhen: when });
      void modifier.initialize(context(0));
      return range(6).map((step) => tf.tidy(() => modifier.modifyLoss!(tf.scalar(10), lossContext(step)).dataSync()[0]));
    };
    expect(values()).toEqual([10, 10, 11, 11, 10, 10]);
    expect(values('started')).toEqual([10, 10, 11, 11, 11, 11]);
    expect(values('always')).toEqual([11, 11, 11, 11, 11, 11]);
  });

  it('has no modifyLoss or learningRateFactor when the plugin gives none, and passes them through otherwise', () => {
    const plain = createModifier({ kind: 'test/plain' });
    expect(plain.modifyLoss).toBeUndefined();
    expect(plain.learningRateFactor).toBeUndefined();
    const rewind = createModifier({ kind: 'test/rewind', learningRateFactor: (ctx) => (ctx.step < 3 ? 1 : 0.5) });
    void rewind.initialize(context(0));
    expect([rewind.learningRateFactor!(context(0)), rewind.learningRateFactor!(context(5))]).toEqual([1, 0.5]);
  });

  it('saves started/ended with the plugin state, so a resumed run does not start again', () => {
    const events: string[] = [];
    let counter = 0;
    const pluginOptions = (log: string[]) => ({
      start: 2,
      end: 8,
      state: () => ({ json: { counter } }),
      loadState: (state: { json?: unknown }) => {
        counter = (state.json as { counter: number }).counter;
      },
      onUpdate: (ctx: ModifierContext) => {
        counter++;
        log.push(`update@${ctx.step}`);
      },
    });
    const first = traced(pluginOptions(events), events);
    void first.initialize(context(0));
    for (const step of range(5)) void first.update(context(step));
    const saved = first.state();
    expect(saved.json).toEqual({ started: true, ended: false, plugin: { counter: 3 } });

    counter = 0;
    const resumedEvents: string[] = [];
    const resumed = traced(pluginOptions(resumedEvents), resumedEvents);
    resumed.loadState(saved);
    void resumed.initialize(context(5));
    for (const step of [5, 6, 7, 8]) void resumed.update(context(step));
    expect(resumed.started).toBe(true);
    expect(resumedEvents).toEqual(['initialize@5', 'update@5', 'update@6', 'update@7', 'end@8']);
    expect(counter).toBe(6);
    expect(resumed.ended).toBe(true);
  });

  it('refuses state it did not write', () => {
    const modifier = createModifier({ kind: 'test/state' });
    expect(() => modifier.loadState({ json: { counter: 1 } })).toThrow(CheckpointError);
  });

  it('awaits async hooks in order', async () => {
    const events: string[] = [];
    const later = (name: string) => async (ctx: ModifierContext) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      events.push(`${name}@${ctx.step}`);
    };
    const modifier = traced({ start: 1, end: 2, onStart: later('start'), onEnd: later('end') }, events);
    await modifier.initialize(context(0));
    expect(modifier.update(context(0))).toBeUndefined();
    await modifier.update(context(1));
    await modifier.update(context(2));
    await modifier.finalize(context(3));
    expect(events).toEqual(['initialize@0', 'start@1', 'update@1', 'end@2', 'finalize@3']);
  });
});
