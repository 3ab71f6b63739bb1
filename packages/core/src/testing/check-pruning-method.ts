import type { MaskGranularity, PruningMethod } from '../registry/specs/pruning-method';
import { specificationProblems } from '../registry/validate-specification';
import { tf } from '../tensor/tf';
import { runChecks, type ConformanceCheck, type ConformanceFailure } from './conformance-check';
import { magnitudeProblems, nonBinaryProblems, sparsityProblems, tilingProblem } from './mask-analysis';
import { blockConstantMagnitudes, distinctMagnitudes, leakedTensors, tensorOf } from './test-tensors';

/** Settings of {@link checkPruningMethod}. */
export interface PruningMethodCheckOptions {
  /** Raw options, as a recipe would give them; the method's schema parses them. */
  options: Record<string, unknown>;
  /** Weight shapes to prune (default `[[16, 32], [12, 8]]`); they must tile the granularity. */
  shapes?: number[][];
  /** The method keeps the largest magnitudes: check that no pruned weight outweighs a kept one. */
  magnitude?: boolean;
  /** The option holding the target sparsity (default `sparsity`); absent for fixed patterns like 2:4. */
  sparsityKey?: string;
  /** Seeds the test weights (default 7). */
  seed?: number;
}

const DEFAULT_SHAPES = [
  [16, 32],
  [12, 8],
];
const EXTRA_SPARSITIES = [0, 0.3, 0.75];

function weightFor(granularity: MaskGranularity, shape: readonly number[], seed: number): tf.Tensor {
  const count = shape.reduce((product, size) => product * size, 1);
  const values = granularity.type === 'block' ? blockConstantMagnitudes(shape, granularity.shape, seed) : distinctMagnitudes(count, seed);
  return tensorOf(values, shape);
}

/**
 * The conformance checks of a {@link PruningMethod}, each runnable on its own (the vitest
 * wrapper turns each into a test). Nothing runs until `run()` is called.
 *
 * @example
 * ```ts
 * for (const check of pruningMethodChecks(magnitude, { options: { sparsity: 0.9 }, magnitude: true })) {
 *   console.log(check.name, check.run());
 * }
 * ```
 */
export function pruningMethodChecks(method: PruningMethod, settings: PruningMethodCheckOptions): ConformanceCheck[] {
  const granularity: MaskGranularity = method.granularity ?? { type: 'element' };
  const shapes = settings.shapes ?? DEFAULT_SHAPES;
  const sparsityKey = settings.sparsityKey ?? 'sparsity';
  const seed = settings.seed ?? 7;
  const requested = settings.options[sparsityKey];
  const targetSparsity = typeof requested === 'number' ? requested : undefined;
  const accepts = (options: unknown): boolean => method.optionsSchema.safeParse(options).success;
  const parsed = () => method.optionsSchema.parse(settings.options);

  /** (parsed options, sparsity) pairs: the requested one plus extra ones the schema accepts. */
  const cases = (): Array<{ options: unknown; sparsity?: number }> => {
    if (targetSparsity === undefined || granularity.type === 'n-of-m') return [{ options: parsed() }];
    const sparsities = [targetSparsity, ...EXTRA_SPARSITIES.filter((value) => value !== targetSparsity)];
    return sparsities
      .map((sparsity) => ({ raw: { ...settings.options, [sparsityKey]: sparsity }, sparsity }))
      .filter(({ raw }) => accepts(raw))
      .map(({ raw, sparsity }) => ({ options: method.optionsSchema.parse(raw), sparsity }));
  };

  /** Runs `inspect` on the mask of every shape, disposing everything. */
  const forEachMask = (inspect: (mask: tf.Tensor, weight: tf.Tensor, shape: number[], sparsity?: number) => string[], allCases = false): string[] => {
    const problems: string[] = [];
    for (const shape of shapes) {
      const tiling = tilingProblem(granularity, shape);
      if (tiling !== undefined) {
        problems.push(`${tiling}: pass shapes that fit the method's granularity`);
        continue;
      }
      for (const { options, sparsity } of allCases ? cases() : cases().slice(0, 1)) {
        const weight = weightFor(granularity, shape, seed);
        let mask: tf.Tensor | undefined;
        try {
          mask = method.computeMask(weight, options);
          if (mask === weight) return ['computeMask returned the weight itself instead of a new mask tensor'];
          if (weight.isDisposed) return ['computeMask disposed the weight'];
          problems.push(...inspect(mask, weight, shape, sparsity));
        } finally {
          tf.dispose(mask === undefined ? [weight] : [mask, weight]);
        }
      }
    }
    return problems;
  };

  const checks: ConformanceCheck[] = [
    { name: 'is a valid v1 pruning-method spec', run: () => specificationProblems('pruning-method', method) },
    { name: 'its options schema accepts the given options', run: () => (accepts(settings.options) ? [] : [`rejected ${JSON.stringify(settings.options)}`]) },
    {
      name: 'returns a float32 mask of the weight\'s shape holding only 0 and 1',
      run: () =>
        forEachMask((mask, weight) => {
          if (!tf.util.arraysEqual(mask.shape, weight.shape)) return [`mask shape [${mask.shape}] differs from weight shape [${weight.shape}]`];
          if (mask.dtype !== 'float32') return [`mask dtype is ${mask.dtype}, expected float32`];
          return nonBinaryProblems(mask.dataSync() as Float32Array);
        }, true),
    },
    {
      name: granularity.type === 'n-of-m' ? `keeps exactly ${granularity.kept} of every ${granularity.group} weights` : 'prunes exactly floor(sparsity * units)',
      run: () => forEachMask((mask, _weight, shape, sparsity) => sparsityProblems(granularity, mask.dataSync() as Float32Array, shape, sparsity), true),
    },
    {
      name: 'is deterministic for the same input',
      run: () =>
        forEachMask((mask, weight) => {
          const again = method.computeMask(weight, parsed());
          const same = tf.util.arraysEqual(mask.dataSync(), again.dataSync());
          again.dispose();
          return same ? [] : ['two calls on the same weight returned different masks'];
        }),
    },
    {
      name: 'leaves the weight untouched and leaks no tensors',
      run: () =>
        shapes.flatMap((shape) => {
          const weight = weightFor(granularity, shape, seed);
          const before = weight.dataSync().slice();
          try {
            const leaked = leakedTensors(() => method.computeMask(weight, parsed()));
            if (weight.isDisposed) return ['computeMask disposed the weight'];
            const problems = leaked === 0 ? [] : [`computeMask leaked ${leaked} tensor(s) (tf.memory().numTensors grew)`];
            if (!tf.util.arraysEqual(before, weight.dataSync())) problems.push('computeMask changed the weight');
            return problems;
          } finally {
            weight.dispose();
          }
        }),
    },
  ];
  if (targetSparsity !== undefined) {
    checks.push({
      name: 'its options schema rejects an out-of-range sparsity',
      run: () =>
        [1.5, -0.1, Number.NaN]
          .filter((value) => accepts({ ...settings.options, [sparsityKey]: value }))
          .map((value) => `accepted ${sparsityKey} = ${value}`),
    });
  }
  if (settings.magnitude === true) {
    checks.push({
      name: 'keeps the larger-magnitude weights',
      run: () => forEachMask((mask, weight, shape) => magnitudeProblems(granularity, mask.dataSync() as Float32Array, weight.dataSync() as Float32Array, shape), true),
    });
  }
  return checks;
}

/**
 * Checks a {@link PruningMethod} against the v1 contract and returns the failures (empty when
 * it conforms): valid spec; mask of the weight's shape, float32, exactly 0/1; exactly
 * `floor(sparsity * units)` pruned at its granularity; deterministic; weight untouched; no
 * leaked tensors; out-of-range sparsity rejected; larger magnitudes kept (when `magnitude`).
 * Needs a started tfjs backend.
 *
 * @example
 * ```ts
 * await initBackend({ backend: 'cpu' });
 * const failures = checkPruningMethod(magnitude, { options: { sparsity: 0.9 }, magnitude: true });
 * console.log(failures); // []
 * ```
 */
export function checkPruningMethod(method: PruningMethod, settings: PruningMethodCheckOptions): ConformanceFailure[] {
  return runChecks(pruningMethodChecks(method, settings));
}
