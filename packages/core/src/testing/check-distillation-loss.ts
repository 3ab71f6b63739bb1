import type { DistillationLoss } from '../registry/specs/distillation-loss';
import { specificationProblems } from '../registry/validate-specification';
import { tf } from '../tensor/tf';
import { runChecks, type ConformanceCheck, type ConformanceFailure } from './conformance-check';
import { distinctMagnitudes, leakedTensors, tensorOf } from './test-tensors';

/** Settings of {@link checkDistillationLoss}. */
export interface DistillationLossCheckOptions {
  /** Raw options; the loss's schema parses them. */
  options: Record<string, unknown>;
  /** The student's feature shape, e.g. `[2, 5, 8]`. */
  shape: number[];
  /** The teacher's shape when it differs from the student's (projected losses). */
  teacherShape?: number[];
  /** Makes the `mask` passed with the options on every call (disposed by the checker). */
  mask?: () => tf.Tensor;
  /** Overrides the loss's declared `properties.zeroWhenEqual`. */
  zeroWhenEqual?: boolean;
  /** Overrides the loss's declared `properties.nonNegative`. */
  nonNegative?: boolean;
  /** Seeds the test features (default 11). */
  seed?: number;
}

const PAIRS = 4;

/**
 * The conformance checks of a {@link DistillationLoss}, each runnable on its own.
 *
 * @example
 * ```ts
 * const checks = distillationLossChecks(mse, { options: {}, shape: [2, 3, 4] });
 * console.log(checks.map((check) => check.name));
 * ```
 */
export function distillationLossChecks(loss: DistillationLoss, settings: DistillationLossCheckOptions): ConformanceCheck[] {
  const { shape } = settings;
  const teacherShape = settings.teacherShape ?? shape;
  const seed = settings.seed ?? 11;
  const zeroWhenEqual = settings.zeroWhenEqual ?? loss.properties?.zeroWhenEqual ?? false;
  const nonNegative = settings.nonNegative ?? loss.properties?.nonNegative ?? false;
  const count = (dimensions: number[]): number => dimensions.reduce((product, size) => product * size, 1);
  const features = (dimensions: number[], pair: number, scale = 3): tf.Tensor =>
    tf.tidy(() => tf.mul(tensorOf(distinctMagnitudes(count(dimensions), seed + pair * 7919 + dimensions.length), dimensions), scale));

  /** Calls `use` with fresh student/teacher features and the full options, disposing them. */
  const withPair = (pair: number, use: (student: tf.Tensor, teacher: tf.Tensor, options: never) => string[], equal = false): string[] => {
    const student = features(shape, pair);
    const teacher = equal ? tf.clone(student) : features(teacherShape, pair + 100);
    const mask = settings.mask?.();
    const options = { ...(loss.optionsSchema.parse(settings.options) as object), ...(mask === undefined ? {} : { mask }) } as never;
    try {
      return use(student, teacher, options);
    } finally {
      tf.dispose([student, teacher, ...(mask === undefined ? [] : [mask])]);
    }
  };
  const forPairs = (use: Parameters<typeof withPair>[1]): string[] =>
    Array.from({ length: PAIRS }, (_, pair) => withPair(pair, use)).flat().slice(0, 3);
  const value = (student: tf.Tensor, teacher: tf.Tensor, options: never): number => {
    const result = loss.compute(student, teacher, options);
    const [number] = result.dataSync();
    result.dispose();
    return number;
  };

  const checks: ConformanceCheck[] = [
    { name: 'is a valid v1 distillation-loss spec', run: () => specificationProblems('distillation-loss', loss) },
    {
      name: 'its options schema accepts the given options',
      run: () => (loss.optionsSchema.safeParse(settings.options).success ? [] : [`rejected ${JSON.stringify(settings.options)}`]),
    },
    {
      name: 'returns a finite float32 scalar',
      run: () =>
        forPairs((student, teacher, options) => {
          const result = loss.compute(student, teacher, options);
          const problems: string[] = [];
          if (result.rank !== 0) problems.push(`returned a tensor of shape [${result.shape}], expected a scalar`);
          else if (result.dtype !== 'float32') problems.push(`returned dtype ${result.dtype}, expected float32`);
          else if (!Number.isFinite(result.dataSync()[0])) problems.push(`returned ${result.dataSync()[0]}`);
          result.dispose();
          return problems;
        }),
    },
    {
      name: 'has a finite gradient of the student\'s shape with respect to the student',
      run: () =>
        forPairs((student, teacher, options) => {
          const gradient = tf.grad((input: tf.Tensor) => loss.compute(input, teacher, options))(student);
          const values = gradient.dataSync();
          const problems: string[] = [];
          if (!tf.util.arraysEqual(gradient.shape, student.shape)) problems.push(`gradient shape [${gradient.shape}] differs from the student's [${student.shape}]`);
          else if (!values.every(Number.isFinite)) problems.push('the gradient has non-finite entries');
          else if (values.every((entry) => entry === 0)) problems.push('the gradient is identically zero: the loss does not depend on the student');
          gradient.dispose();
          return problems;
        }),
    },
    {
      name: 'leaves its inputs alive and leaks no tensors',
      run: () =>
        forPairs((student, teacher, options) => {
          const computeLeak = leakedTensors(() => loss.compute(student, teacher, options));
          if (student.isDisposed || teacher.isDisposed) return ['compute disposed its inputs'];
          const problems = computeLeak === 0 ? [] : [`compute leaked ${computeLeak} tensor(s)`];
          let gradientLeak = 0;
          try {
            gradientLeak = leakedTensors(() => tf.grad((input: tf.Tensor) => loss.compute(input, teacher, options))(student));
          } catch {
            // no gradient: the gradient check reports it
          }
          if (gradientLeak !== 0) problems.push(`its gradient leaked ${gradientLeak} tensor(s)`);
          return problems;
        }),
    },
  ];
  if (zeroWhenEqual) {
    checks.push({
      name: 'is zero when the student equals the teacher',
      run: () => {
        if (!tf.util.arraysEqual(shape, teacherShape)) return ['zeroWhenEqual needs the teacher shape to equal the student shape'];
        return Array.from({ length: PAIRS }, (_, pair) =>
          withPair(pair, (student, teacher, options) => {
            const result = value(student, teacher, options);
            return Math.abs(result) <= 1e-6 ? [] : [`returned ${result} for identical inputs, expected 0 (within 1e-6)`];
          }, true),
        ).flat();
      },
    });
  }
  if (nonNegative) {
    checks.push({
      name: 'is never negative',
      run: () =>
        forPairs((student, teacher, options) => {
          const result = value(student, teacher, options);
          return result >= 0 ? [] : [`returned ${result}`];
        }),
    });
  }
  return checks;
}

/**
 * Checks a {@link DistillationLoss} against the v1 contract and returns the failures (empty
 * when it conforms): valid spec; a finite float32 scalar; a finite, non-zero gradient of the
 * student's shape; inputs left alive; no leaked tensors; zero for identical inputs and never
 * negative where the loss declares it. Needs a started tfjs backend.
 *
 * @example
 * ```ts
 * await initBackend({ backend: 'cpu' });
 * console.log(checkDistillationLoss(mse, { options: {}, shape: [2, 5, 8] })); // []
 * ```
 */
export function checkDistillationLoss(loss: DistillationLoss, settings: DistillationLossCheckOptions): ConformanceFailure[] {
  return runChecks(distillationLossChecks(loss, settings));
}
