import { describe, expect, it } from 'vitest';
import { FULL_SCALE, SCALES, taskStageSteps } from './scales';

describe('taskStageSteps', () => {
  const scale = { batchSize: 16, steps: { teacherFinetune: 2000, transfer: 2000, quantize: 200 }, epochs: { teacherFinetune: 5, transfer: 5, quantize: 0.5 } };

  it('counts epochs in whole batches, capped by the steps', () => {
    expect(taskStageSteps(scale, 'transfer', 3200)).toBe(1000); // 5 × 3200 / 16
    expect(taskStageSteps(scale, 'teacherFinetune', 4001)).toBe(1251); // 5 × 4001 / 16 = 1250.3, rounded up
    expect(taskStageSteps(scale, 'transfer', 9000)).toBe(2000); // 2812.5 capped
    expect(taskStageSteps(scale, 'quantize', 3200)).toBe(100);
    expect(taskStageSteps(scale, 'quantize', 3)).toBe(1);
  });

  it('takes the steps as they are without epochs, and epochs without a cap at 0 steps', () => {
    expect(taskStageSteps(SCALES.tiny, 'transfer', 1200)).toBe(SCALES.tiny.steps.transfer);
    expect(taskStageSteps(FULL_SCALE, 'transfer', 6400)).toBe(600); // 3 epochs of 6400 at batch 32
  });

  it('gives the default scale five epochs of fine-tuning and transfer', () => {
    expect(taskStageSteps(SCALES.default, 'teacherFinetune', 4000)).toBe(1250);
    expect(taskStageSteps(SCALES.default, 'transfer', 3200)).toBe(1000);
  });
});
