import { existsSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { smallConfig, smallContents } from '../bundle/__fixtures__/small-encoder';
import { parseBundle } from '../bundle/read-bundle';
import { serializeBundle } from '../bundle/write-bundle';
import { packWeight } from '../formats/pack-weight';
import { quantizeWeightInt8 } from '../formats/quantize-weight';
import { createEncoderRuntime } from '../runtime/load-bundle';
import { randomMask, randomValues, seededRandom } from '../test-support/random-data';
import { loadKernels } from './load-kernels';
import { loadNativeAddon } from './native-addon';
import { createNativeKernels, type NativeIsa } from './native-kernels';

const { addon } = loadNativeAddon();
// 1, 2, an odd count, and more threads than cores (the pool must not depend on the machine).
const THREAD_COUNTS = [1, 2, 3, 2 * availableParallelism() + 1];

/** The process's OS threads (Linux: one entry per thread under /proc/self/task). */
const osThreads = (): number => readdirSync('/proc/self/task').length;

describe.runIf(addon !== undefined)('the native thread pool', () => {
  it.runIf(existsSync('/proc/self/task'))('runs a kernel on exactly the threads asked for: the caller and threads - 1 workers', () => {
    const input = randomValues(seededRandom(1), 64 * 32);
    const weight = packWeight(randomValues(seededRandom(2), 48 * 32), 48, 32, { format: 'csr', mask: randomMask(seededRandom(3), 48, 32, 0.8, 'unstructured') });
    const one = loadKernels({ threads: 1 });
    one.linear(input, 64, weight);
    const base = osThreads();
    for (const threads of [3, 5, 2, 1]) {
      const kernels = loadKernels({ threads });
      kernels.linear(input, 64, weight);
      expect(kernels.threads).toBe(threads);
      expect(addon!.info().threads).toBe(threads);
      // The pool is rebuilt at the new size: its old workers are joined before the call returns.
      expect(osThreads() - base, `${threads} threads`).toBe(threads - 1);
    }
  });

  it('gives bit-identical sparse fp32 and int8 results at 1, 2, 3 and 2 × cores + 1 threads, on every instruction set', () => {
    const [tokens, rows, cols] = [200, 96, 80];
    const random = seededRandom(11);
    const dense = randomValues(random, rows * cols);
    const input = randomValues(random, tokens * cols);
    const bias = randomValues(random, rows);
    const csr = packWeight(dense, rows, cols, { format: 'csr', mask: randomMask(random, rows, cols, 0.9, 'unstructured') });
    const block = packWeight(dense, rows, cols, { format: 'block', block: [4, 1], mask: randomMask(random, rows, cols, 0.9, 'block4x1') });
    const weights = { 'csr fp32': csr, '4x1 fp32': block, 'csr int8': quantizeWeightInt8(csr), '4x1 int8': quantizeWeightInt8(block) };
    for (const isa of addon!.info().supported as NativeIsa[]) {
      const results = THREAD_COUNTS.map((threads) => {
        const kernels = createNativeKernels(addon!, { isa, threads });
        return Object.values(weights).map((weight) => kernels.linear(input, tokens, weight, bias, { gelu: true }));
      });
      for (const [index, threads] of THREAD_COUNTS.entries()) {
        Object.keys(weights).forEach((label, which) => expect(results[index][which], `${isa} ${label} at ${threads} threads`).toEqual(results[0][which]));
      }
    }
  });

  it('gives a bit-identical encoder forward pass (fp32 and int8 bundles) at every thread count', () => {
    const config = smallConfig({ hiddenSize: 48, numHeads: 4, headsPerLayer: [4, 4], intermediateSizes: [96, 96], vocabSize: 40, maxPositions: 40 });
    const inputs = { inputIds: Array.from({ length: 3 }, (_, row) => Array.from({ length: 33 }, (_, position) => (row * 7 + position * 3) % 40)) };
    for (const int8 of [false, true]) {
      const bundle = parseBundle(serializeBundle(smallContents(config, 5, { format: 'block', sparsity: 0.8, int8 })));
      const [first, ...others] = THREAD_COUNTS.map((threads) => createEncoderRuntime(bundle, { kernels: loadKernels({ threads }) }).run(inputs));
      for (const [index, outputs] of others.entries()) {
        expect(outputs.hidden, `${int8 ? 'int8' : 'fp32'} at ${THREAD_COUNTS[index + 1]} threads`).toEqual(first.hidden);
        expect(outputs.logits).toEqual(first.logits);
      }
    }
  });

  it('lets an idle process sleep: after kernels ran on every core, a second of waiting costs well under 0.2 s of CPU', async () => {
    const threads = Math.max(4, availableParallelism());
    const kernels = loadKernels({ threads });
    const tokens = 256;
    const input = randomValues(seededRandom(4), tokens * 256);
    const weight = quantizeWeightInt8(packWeight(randomValues(seededRandom(5), 512 * 256), 512, 256, { format: 'csr', mask: randomMask(seededRandom(6), 512, 256, 0.5, 'unstructured') }));
    for (let call = 0; call < 20; call++) kernels.linear(input, tokens, weight);
    const cpu = process.cpuUsage();
    const started = performance.now();
    await sleep(1000);
    const used = process.cpuUsage(cpu);
    const wall = (performance.now() - started) / 1000;
    // A worker that kept spinning would cost about one core-second per second per worker.
    expect((used.user + used.system) / 1e6 / wall).toBeLessThan(0.2);
  });
});
