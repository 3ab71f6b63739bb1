import { CheckpointError } from '../errors/checkpoint-error';
import { ConfigError } from '../errors/config-error';
import type { Random, RandomState } from '../random';

/**
 * Where a {@link DataCursor} stands, as saved in a checkpoint.
 *
 * @example
 * ```ts
 * const saved: DataCursorState = cursor.state(); // { epoch: 2, offset: 64, epochStart: [...] }
 * ```
 */
export interface DataCursorState {
  /** Epochs started so far minus one (0 during the first epoch). */
  epoch: number;
  /** Indices of the current epoch's permutation already handed out. */
  offset: number;
  /** The shuffling generator's state when the current epoch's permutation was drawn (null before the first). */
  epochStart: RandomState | null;
}

/**
 * Hands out batches of example indices: a fresh seeded permutation of `[0, size)` per
 * epoch, `batchSize` indices at a time; an epoch ends when fewer than `batchSize` indices
 * remain (the remainder is dropped, like PyTorch's `drop_last=True`).
 *
 * @example
 * ```ts
 * const cursor: DataCursor = createDataCursor(1000, 32, createRandom(0));
 * const batch = data.batch(cursor.next());
 * ```
 */
export interface DataCursor {
  next(): number[];
  state(): DataCursorState;
  loadState(state: DataCursorState): void;
}

/**
 * Creates a {@link DataCursor} that shuffles with `random` (which it alone should use).
 *
 * @example
 * ```ts
 * const cursor = createDataCursor(100, 8, createRandom(1));
 * const indices = cursor.next(); // 8 distinct indices in [0, 100)
 * ```
 */
export function createDataCursor(size: number, batchSize: number, random: Random): DataCursor {
  if (!Number.isInteger(size) || !Number.isInteger(batchSize) || batchSize < 1 || size < batchSize) {
    throw new ConfigError('The data set is smaller than one batch', {
      expected: `a data size ≥ batchSize (${batchSize})`,
      received: String(size),
      hint: 'Lower batchSize or give more examples',
    });
  }
  let epoch = 0;
  let offset = 0;
  let epochStart: RandomState | null = null;
  let permutation: number[] | null = null;

  const shuffle = (): void => {
    epochStart = random.state();
    permutation = random.shuffle(Array.from({ length: size }, (_, index) => index));
    offset = 0;
  };

  return {
    next() {
      if (permutation === null) shuffle();
      else if (offset + batchSize > size) {
        epoch += 1;
        shuffle();
      }
      const indices = (permutation as number[]).slice(offset, offset + batchSize);
      offset += batchSize;
      return indices;
    },
    state: () => ({ epoch, offset, epochStart: epochStart === null ? null : [...epochStart] as RandomState }),
    loadState(state) {
      const valid =
        Number.isInteger(state.epoch) &&
        state.epoch >= 0 &&
        Number.isInteger(state.offset) &&
        state.offset >= 0 &&
        state.offset <= size &&
        (state.epochStart === null || Array.isArray(state.epochStart));
      if (!valid) {
        throw new CheckpointError('Invalid data position', {
          expected: `an epoch ≥ 0 and an offset in [0, ${size}]`,
          received: JSON.stringify(state),
        });
      }
      epoch = state.epoch;
      if (state.epochStart === null) {
        permutation = null;
        epochStart = null;
        offset = 0;
        return;
      }
      random.setState(state.epochStart);
      shuffle();
      offset = state.offset;
    },
  };
}
