import { beforeAll, describe, expect, it } from 'vitest';
import { createRandom } from '../random';
import { initBackend } from '../tensor/backend';
import { drawDeferred, normalParameter } from './init';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('normalParameter with deferred draws', () => {
  it('starts at zero, leaves the generator where full draws would, and drawDeferred gives the full values', () => {
    const full = createRandom(3);
    const fullParameters = [[4, 5], [7], [2, 3]].map((shape) => normalParameter(shape, { random: full, std: 0.5 }));
    const deferred = createRandom(3);
    const deferredParameters = [[4, 5], [7], [2, 3]].map((shape) => normalParameter(shape, { random: deferred, std: 0.5, deferred: true }));
    expect(deferred.state()).toEqual(full.state());
    expect(Array.from(deferredParameters[1].variable.dataSync())).toEqual(new Array(7).fill(0));
    expect(drawDeferred(deferredParameters[1])).toBe(true);
    expect(Array.from(deferredParameters[1].variable.dataSync())).toEqual(Array.from(fullParameters[1].variable.dataSync()));
    // Only the chosen one is drawn; a second call and a non-deferred parameter change nothing.
    expect(Array.from(deferredParameters[2].variable.dataSync())).toEqual(new Array(6).fill(0));
    expect(drawDeferred(deferredParameters[1])).toBe(false);
    expect(drawDeferred(fullParameters[0])).toBe(false);
    for (const parameter of [...fullParameters, ...deferredParameters]) parameter.dispose();
  });
});
