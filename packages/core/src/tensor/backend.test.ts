import { afterEach, describe, expect, it } from 'vitest';
import { BackendError } from '../errors/backend-error';
import { availableBackends, initBackend, registerBackendLoader, type BackendLoaderSpec } from './backend';
import { tf } from './tf';
import { erf } from './wasm-kernels';

/** Gradients that BERT training needs and that wasm computes through pofa's own kernels. */
function embeddingAndGeluGradients(): { table: number[]; input: number[] } {
  const table = tf.variable(tf.tensor2d([[0.5, -1], [2, 0.25], [-0.75, 1.5]]));
  const input = tf.variable(tf.tensor1d([-2.5, -0.3, 0, 0.7, 3.1]));
  const ids = tf.tensor1d([2, 0, 2, 2, 1], 'int32');
  const weights = tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8], [9, 10]]);
  const { grads, value } = tf.variableGrads(() => {
    const gathered = tf.gather(table, ids);
    const gelu = tf.mul(tf.mul(input, tf.add(tf.erf(tf.mul(input, Math.SQRT1_2)), 1)), 0.5);
    return tf.add(tf.sum(tf.mul(gathered, weights)), tf.sum(gelu)) as tf.Scalar;
  }, [table, input]);
  const out = { table: Array.from(grads[table.name].dataSync()), input: Array.from(grads[input.name].dataSync()) };
  tf.dispose([table, input, ids, weights, value, ...Object.values(grads)]);
  return out;
}

/** d/dx of 0.5·x·(1 + erf(x/√2)) = Φ(x) + x·φ(x), worked from the definition. */
function geluDerivative(x: number): number {
  const cdf = 0.5 * (1 + erf(x / Math.SQRT2));
  const pdf = Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
  return cdf + x * pdf;
}

describe('initBackend', () => {
  afterEach(() => {
    delete process.env.POFA_BACKEND;
  });

  it('computes the embedding and exact-GELU gradients on wasm and cpu, equal to each other and to the formulas', async () => {
    const results: Record<string, { table: number[]; input: number[] }> = {};
    for (const backend of ['cpu', 'wasm'] as const) {
      expect(await initBackend({ backend })).toBe(backend);
      expect(tf.getBackend()).toBe(backend);
      results[backend] = embeddingAndGeluGradients();
    }
    // Row r of the table gradient is the sum of the weight rows whose id is r:
    // id 0 at position 1 → [3, 4]; id 1 at position 4 → [9, 10]; id 2 at 0, 2, 3 → [13, 16].
    const expected = { table: [3, 4, 9, 10, 13, 16], input: [-2.5, -0.3, 0, 0.7, 3.1].map(geluDerivative) };
    for (const backend of ['cpu', 'wasm']) {
      expect(results[backend].table).toEqual(expected.table);
      results[backend].input.forEach((value, i) => expect(value).toBeCloseTo(expected.input[i], 5));
    }
    results.wasm.input.forEach((value, i) => expect(value).toBeCloseTo(results.cpu.input[i], 6));
  });

  it('sums rows of a 3-D input into segments on wasm as the cpu kernel does, dropping out-of-range ids', async () => {
    const run = () => {
      const x = tf.tensor3d([[[1, 2], [3, 4]], [[5, 6], [7, 8]], [[9, 10], [11, 12]]]);
      const ids = tf.tensor1d([1, 1, 0], 'int32');
      const out = tf.unsortedSegmentSum(x, ids, 3);
      const values = { shape: out.shape, data: Array.from(out.dataSync()) };
      tf.dispose([x, ids, out]);
      return values;
    };
    await initBackend({ backend: 'wasm' });
    const wasm = run();
    await initBackend({ backend: 'cpu' });
    const cpu = run();
    expect(wasm).toEqual(cpu);
    expect(wasm).toEqual({ shape: [3, 2, 2], data: [9, 10, 11, 12, 6, 8, 10, 12, 0, 0, 0, 0] });
  });

  it('multiplies with transposes on wasm exactly as cpu does (pofa wraps the wasm kernel)', async () => {
    const cases: Array<[number[], number[], boolean, boolean]> = [
      [[5, 3], [4, 3], false, true],
      [[3, 5], [3, 4], true, false],
      [[3, 5], [4, 3], true, true],
      [[2, 7, 3], [2, 6, 3], false, true],
      [[2, 3, 7], [1, 3, 6], true, false], // the batch dimension broadcasts
    ];
    const run = () =>
      cases.map(([shapeA, shapeB, transposeA, transposeB], index) =>
        tf.tidy(() => {
          const values = (shape: number[], offset: number) =>
            tf.tensor(Array.from({ length: shape.reduce((x, y) => x * y, 1) }, (_, i) => Math.sin(i + offset)), shape);
          const product = tf.matMul(values(shapeA, index) as tf.Tensor3D, values(shapeB, 10 * index) as tf.Tensor3D, transposeA, transposeB);
          return { shape: product.shape, data: Array.from(product.dataSync()) };
        }),
      );
    await initBackend({ backend: 'cpu' });
    const onCpu = run();
    await initBackend({ backend: 'wasm' });
    const before = tf.memory().numTensors;
    const onWasm = run();
    expect(tf.memory().numTensors).toBe(before);
    onWasm.forEach((result, i) => {
      expect(result.shape).toEqual(onCpu[i].shape);
      result.data.forEach((value, j) => expect(value).toBeCloseTo(onCpu[i].data[j], 5));
    });
  });

  it('honours POFA_BACKEND and rejects an unknown name with the list of backends', async () => {
    process.env.POFA_BACKEND = 'cpu';
    expect(await initBackend()).toBe('cpu');
    process.env.POFA_BACKEND = 'tpu';
    await expect(initBackend()).rejects.toSatisfy((error: unknown) =>
      BackendError.isInstance(error) && /tensorflow, wasm, cpu/.test((error as Error).message) && /POFA_BACKEND/.test((error as Error).message),
    );
  });

  it('explains that tensorflow is unavailable when tfjs-node is not installed', async () => {
    const available = await availableBackends();
    expect(available).toContain('cpu');
    expect(available).toContain('wasm');
    if (available.includes('tensorflow')) return; // tfjs-node present: nothing to explain
    await expect(initBackend({ backend: 'tensorflow' })).rejects.toThrow(/available backends: wasm, cpu.*tfjs-node/);
  });
});

describe('erf', () => {
  it('matches reference values of the error function', () => {
    // Values from Abramowitz & Stegun table 7.1.
    const table: Array<[number, number]> = [[0, 0], [0.1, 0.1124629160], [0.5, 0.5204998778], [1, 0.8427007929], [2, 0.9953222650], [3, 0.9999779095]];
    for (const [x, value] of table) {
      expect(erf(x)).toBeCloseTo(value, 7);
      expect(erf(-x)).toBeCloseTo(-value, 7);
    }
  });
});

// These run last: the loaders they register stay for the rest of the file.
describe('registerBackendLoader', () => {
  /** A plugin backend built on the cpu backend's memory and kernels, as pofa-native is. */
  function cpuTwinLoader(name: string, priority: number, calls: string[]): BackendLoaderSpec {
    return {
      specificationVersion: 'v1',
      name,
      priority,
      load: async ({ loadBackend }) => {
        calls.push(name);
        if (!(await loadBackend('cpu'))) return false;
        for (const config of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...config, backendName: name });
        tf.registerBackend(name, tf.findBackendFactory('cpu')!, 0);
        return true;
      },
    };
  }

  it('prefers a plugin backend ranked above wasm, loads it once, and ranks it in availableBackends', async () => {
    const calls: string[] = [];
    registerBackendLoader(cpuTwinLoader('cpu-twin', 250, calls));
    registerBackendLoader(cpuTwinLoader('cpu-last', 50, calls));
    const available = await availableBackends();
    expect(available.filter((name) => name !== 'tensorflow')).toEqual(['cpu-twin', 'wasm', 'cpu', 'cpu-last']);
    if (available.includes('tensorflow')) return; // tfjs-node present: it outranks the plugin
    expect(await initBackend()).toBe('cpu-twin');
    expect(tf.getBackend()).toBe('cpu-twin');
    expect(Array.from(tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4])).dataSync())).toEqual([4, 6]);
    expect(await initBackend({ backend: 'cpu-last' })).toBe('cpu-last');
    expect(calls).toEqual(['cpu-twin', 'cpu-last']);
  });

  it('rejects an invalid spec, a built-in name and a duplicate unless overridden', () => {
    const calls: string[] = [];
    const invalid = { specificationVersion: 'v2', name: 'x', priority: 1, load: () => true } as unknown as BackendLoaderSpec;
    expect(() => registerBackendLoader(invalid)).toThrow(/Invalid backend loader/);
    expect(() => registerBackendLoader(cpuTwinLoader('wasm', 1, calls))).toThrow(/built-in/);
    registerBackendLoader(cpuTwinLoader('twice', 1, calls));
    expect(() => registerBackendLoader(cpuTwinLoader('twice', 1, calls))).toThrow(/override: true/);
    expect(() => registerBackendLoader(cpuTwinLoader('twice', 2, calls), { override: true })).not.toThrow();
  });

  it('treats a loader that throws as unavailable, and explains how to get pofa-native', async () => {
    registerBackendLoader({ specificationVersion: 'v1', name: 'broken', priority: 400, load: () => { throw new Error('no device'); } });
    expect(await availableBackends()).not.toContain('broken');
    await expect(initBackend({ backend: 'broken' })).rejects.toThrow(/not available/);
    await expect(initBackend({ backend: 'pofa-native' })).rejects.toThrow(/registerPofaNativeBackend/);
  });
});
