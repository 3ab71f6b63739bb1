import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../tensor/backend';
import { tf } from '../tensor/tf';
import { clipGradientsByGlobalNorm } from './clip-gradients';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('clipGradientsByGlobalNorm', () => {
  it('scales by maxNorm / (norm + 1e-6) when the global norm exceeds maxNorm (clip_grad_norm_)', () => {
    // Global norm of [3, 4] and [12] is sqrt(9 + 16 + 144) = 13.
    const input = { a: tf.tensor([3, 4]), b: tf.tensor([12]) };
    const { gradients, norm } = clipGradientsByGlobalNorm(input, 6.5);
    expect(norm).toBeCloseTo(13, 5);
    const coefficient = 6.5 / (13 + 1e-6);
    const clipped = [...gradients.a.dataSync(), ...gradients.b.dataSync()];
    [3 * coefficient, 4 * coefficient, 12 * coefficient].forEach((value, index) => expect(clipped[index]).toBeCloseTo(value, 6));
    tf.dispose([...Object.values(input), ...Object.values(gradients)]);
  });

  it('leaves gradients unchanged below the threshold and reports a non-finite norm', () => {
    const input = { a: tf.tensor([0.3, -0.4]) };
    const below = clipGradientsByGlobalNorm(input, 1);
    expect(below.norm).toBeCloseTo(0.5, 6);
    expect(Array.from(below.gradients.a.dataSync())).toEqual(Array.from(input.a.dataSync()));
    const bad = { a: tf.tensor([1, Number.NaN]) };
    const result = clipGradientsByGlobalNorm(bad, 1);
    expect(Number.isNaN(result.norm)).toBe(true);
    tf.dispose([input.a, below.gradients.a, bad.a, result.gradients.a]);
  });
});
