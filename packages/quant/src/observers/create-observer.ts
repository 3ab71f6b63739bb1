import { parseOptions, tf } from '@pofa/core';
import { QuantizationError } from '../errors/quantization-error';
import { checkBits } from '../primitives/integer-range';
import { mseRange } from './mse-search';
import { observerOptionsSchema, type ObserverKind, type ObserverOptions } from './observer-options';
import { percentileRange } from './percentile';
import { sliceValues, tensorMinMax } from './slice-values';

/**
 * What {@link QuantObserver.state} returns: plain JSON, for checkpoints and reports.
 *
 * @example
 * ```ts
 * const saved: ObserverState = JSON.parse(JSON.stringify(observer.state()));
 * other.loadState(saved);
 * ```
 */
export interface ObserverState {
  kind: ObserverKind;
  count: number;
  frozen: boolean;
  /** Per slice (one entry per tensor, channel or group); empty before any data. */
  min: number[];
  max: number[];
}

/** A range of values seen: numbers per tensor, arrays per channel or group. */
export interface ObservedRange {
  readonly min: number | number[];
  readonly max: number | number[];
}

/**
 * A running observer: it records ranges until frozen, with a count, a reset and a JSON state.
 *
 * @example
 * ```ts
 * const observer: QuantObserver = createObserver({ kind: 'min-max', axis: 0 });
 * observer.observe(weight);
 * console.log(observer.count, observer.range());
 * ```
 */
export interface QuantObserver {
  readonly kind: ObserverKind;
  /** Records the range of `x` (does not keep or dispose `x`). Ignored once frozen. */
  observe(x: tf.Tensor): void;
  /** The range to quantize with, from what was observed so far. */
  range(): ObservedRange;
  /** Stops updating the range (end of calibration, or a QAT step that freezes observers). */
  freeze(): void;
  readonly frozen: boolean;
  /** How many tensors it has observed (observations after `freeze()` are not counted). */
  readonly count: number;
  /** Forgets what it observed (and unfreezes). */
  reset(): void;
  state(): ObserverState;
  loadState(state: ObserverState): void;
}

function combine(kind: ObserverKind, count: number, averagingConstant: number) {
  return (previous: number, current: number, isMin: boolean): number => {
    if (count === 0) return current;
    switch (kind) {
      case 'min-max':
        return isMin ? Math.min(previous, current) : Math.max(previous, current);
      case 'ema':
        // float32, as torch: min = min + c · (current − min)
        return Math.fround(previous + Math.fround(Math.fround(averagingConstant) * Math.fround(current - previous)));
      default:
        // percentile and MSE: the running mean of each batch's range
        return previous + (current - previous) / (count + 1);
    }
  };
}

/**
 * Creates an observer that tracks the range of the tensors it sees, per tensor, per channel
 * (`axis`) or per group of `groupSize` channels:
 * - `min-max`: the smallest and largest value seen;
 * - `ema`: a moving average of each batch's min and max, `m ← m + c·(batch − m)` with
 *   `c = averagingConstant` (0.01), the first batch taken as is (torch's
 *   `MovingAverageMinMaxObserver`, Q8BERT);
 * - `percentile`: each batch's `[percentile(100 − p), percentile(p)]` (NumPy's linear
 *   interpolation), averaged over batches;
 * - `mse`: each batch's clipping range minimising the quantization MSE for `bits`/`symmetric`
 *   (a grid search over α·[min, max], α = k / searchSteps, never worse than min-max), averaged
 *   over batches.
 * Reading `range()` before any observation throws a `QuantizationError`.
 *
 * @example
 * ```ts
 * const observer = createObserver({ kind: 'ema', averagingConstant: 0.01 });
 * observer.observe(activations);
 * const params = quantParams({ ...observer.range(), symmetric: false });
 * ```
 */
export function createObserver(options: ObserverOptions): QuantObserver {
  if (options.bits !== undefined) checkBits(options.bits);
  const settings = parseOptions(observerOptionsSchema, options, 'observer options', { rejectUnknownKeys: true });
  const axis = settings.axis ?? (settings.groupSize === undefined ? undefined : 0);
  const perSlice = axis !== undefined;
  let min: number[] = [];
  let max: number[] = [];
  let count = 0;
  let frozen = false;

  // min-max and ema need each batch's range only, read on the backend; percentile and mse need the values.
  const batchRange = (x: tf.Tensor): { min: number[]; max: number[] } => {
    const groupSize = settings.groupSize ?? 1;
    if (settings.kind !== 'percentile' && settings.kind !== 'mse') return tf.tidy(() => tensorMinMax(x.dtype === 'float32' ? x : tf.cast(x, 'float32'), axis, groupSize));
    const slices = sliceValues(x.dtype === 'float32' ? (x.dataSync() as Float32Array) : Float32Array.from(x.dataSync()), x.shape, axis, groupSize);
    if (settings.kind === 'percentile') return percentileRange(slices, settings.percentile);
    const ranges = slices.map((slice) => mseRange(slice, { bits: settings.bits, symmetric: settings.symmetric, narrowRange: settings.narrowRange, steps: settings.searchSteps }));
    return { min: ranges.map((range) => range.min), max: ranges.map((range) => range.max) };
  };

  const observer: QuantObserver = {
    kind: settings.kind,
    get count() {
      return count;
    },
    get frozen() {
      return frozen;
    },
    observe(x: tf.Tensor) {
      if (frozen) return;
      if (x.size === 0) return;
      const current = batchRange(x);
      if (count > 0 && current.min.length !== min.length) {
        throw new QuantizationError('Observer saw a tensor with another number of channels', {
          expected: `${min.length} slices along axis ${axis}`,
          received: `${current.min.length} (shape [${x.shape.join(', ')}])`,
          hint: 'Use one observer per tensor',
        });
      }
      const merge = combine(settings.kind, count, settings.averagingConstant);
      min = current.min.map((value, index) => merge(min[index], value, true));
      max = current.max.map((value, index) => merge(max[index], value, false));
      count++;
    },
    range(): ObservedRange {
      if (count === 0) {
        throw new QuantizationError(`The ${settings.kind} observer was read before it saw any data`, {
          expected: 'at least one observe(x) call before range()',
          received: 'no observation',
          hint: 'Run calibration batches (or a training step) through the model first',
        });
      }
      return perSlice ? { min: [...min], max: [...max] } : { min: min[0], max: max[0] };
    },
    freeze() {
      frozen = true;
    },
    reset() {
      min = [];
      max = [];
      count = 0;
      frozen = false;
    },
    state: () => ({ kind: settings.kind, count, frozen, min: [...min], max: [...max] }),
    loadState(state: ObserverState) {
      if (state.kind !== settings.kind || state.min.length !== state.max.length || (state.count > 0 && state.min.length === 0)) {
        throw new QuantizationError('Observer state does not fit this observer', {
          expected: `the state of a ${settings.kind} observer with as many min as max values`,
          received: `kind ${state.kind}, ${state.min.length} min and ${state.max.length} max values, count ${state.count}`,
        });
      }
      min = [...state.min];
      max = [...state.max];
      count = state.count;
      frozen = state.frozen;
    },
  };
  return observer;
}
