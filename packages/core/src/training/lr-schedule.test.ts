import { describe, expect, it } from 'vitest';
import type { Modifier, ModifierContext } from '../lifecycle/modifier';
import type { Module } from '../nn/module';
import { createRandom } from '../random';
import { createConstantSchedule, createLinearWarmupSchedule, effectiveLearningRate, toSchedule } from './lr-schedule';

function context(step: number): ModifierContext {
  return { model: {} as Module, step, random: createRandom(0), log: () => {} };
}

function modifierWithFactor(factor: (step: number) => number): Modifier {
  return {
    specificationVersion: 'v1',
    kind: 'test/rewind',
    initialize: () => {},
    update: () => {},
    finalize: () => {},
    learningRateFactor: (ctx) => factor(ctx.step),
  };
}

describe('learning-rate schedules', () => {
  it('constant returns the same value at every step', () => {
    const schedule = createConstantSchedule({ learningRate: 0.003 });
    expect([0, 1, 1000].map((step) => schedule.at(step))).toEqual([0.003, 0.003, 0.003]);
    expect(toSchedule(0.25).at(7)).toBe(0.25);
  });

  it('linear warmup + decay follows get_linear_schedule_with_warmup (values by hand)', () => {
    // lr 1e-3, 4 warmup steps, 12 total: warmup 0, 1/4, 2/4, 3/4 of the peak; then (12 - s) / 8.
    const schedule = createLinearWarmupSchedule({ learningRate: 1e-3, warmupSteps: 4, totalSteps: 12 });
    const expected = [0, 0.25e-3, 0.5e-3, 0.75e-3, 1e-3, 0.875e-3, 0.75e-3, 0.625e-3, 0.5e-3, 0.375e-3, 0.25e-3, 0.125e-3, 0, 0];
    expected.forEach((value, step) => expect(schedule.at(step)).toBeCloseTo(value, 15));
    // No warmup: decay starts at the peak.
    const noWarmup = createLinearWarmupSchedule({ learningRate: 2, warmupSteps: 0, totalSteps: 4 });
    expect([0, 1, 2, 3, 4, 5].map((step) => noWarmup.at(step))).toEqual([2, 1.5, 1, 0.5, 0, 0]);
  });

  it('rejects invalid options', () => {
    expect(() => createLinearWarmupSchedule({ learningRate: 1, warmupSteps: 5, totalSteps: 4 })).toThrow(/warmupSteps/);
    expect(() => createConstantSchedule({ learningRate: -1 })).toThrow(/Invalid constant schedule options/);
  });

  it('the effective rate is schedule × the product of modifier factors', () => {
    const schedule = createLinearWarmupSchedule({ learningRate: 1, warmupSteps: 0, totalSteps: 10 });
    const modifiers = [modifierWithFactor(() => 0.5), modifierWithFactor((step) => (step < 3 ? 1 : 0.1))];
    expect(effectiveLearningRate(schedule, modifiers, context(2))).toBeCloseTo(0.8 * 0.5, 15);
    expect(effectiveLearningRate(schedule, modifiers, context(4))).toBeCloseTo(0.6 * 0.5 * 0.1, 15);
    expect(() => effectiveLearningRate(schedule, [modifierWithFactor(() => Number.NaN)], context(1))).toThrow(/learning-rate factor/);
  });
});
