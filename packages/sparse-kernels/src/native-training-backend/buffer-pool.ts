/**
 * Output buffers of the pofa-native kernels, recycled when their tensor is disposed.
 *
 * A fresh `Float32Array` of a few hundred megabytes (a masked-LM step's logits and their
 * gradient) costs a zero-fill, page faults on every page and a full garbage collection to give
 * back; a training step repeats the same sizes, so the pool hands the same arrays out again.
 * An array is recycled only when nothing else can still see it:
 * - it was allocated here, and every tensor holding it has been disposed;
 * - it never left the backend: any `read`/`readSync` of it (a `dataSync()`, a move to another
 *   backend, a cpu kernel reading a buffer) retires it from recycling for good;
 * - no other stored array is a view on its memory (tfjs-cpu's contiguous `slice` returns a
 *   `subarray`): such a view retires it too.
 * Recycled arrays are not zeroed: every kernel that draws from the pool writes its whole output.
 */
interface Owned {
  array: Float32Array;
  holders: number;
  retired: boolean;
}

interface DataStorageLike {
  get(dataId: object): { values?: unknown } | undefined;
  has(dataId: object): boolean;
  set(dataId: object, value: { values?: unknown }): void;
  delete(dataId: object): boolean;
}

interface PoolableBackend {
  data: DataStorageLike;
  readSync(dataId: object): unknown;
  read(dataId: object): Promise<unknown>;
}

/** A pool of float32 arrays keyed by length, holding at most `capacityBytes` of free arrays. */
export class Float32Pool {
  private readonly free = new Map<number, Float32Array[]>();
  private readonly owned = new WeakMap<ArrayBufferLike, Owned>();
  private freeBytes = 0;
  /** Arrays handed out again instead of allocated (for tests and diagnostics). */
  reused = 0;

  constructor(readonly capacityBytes: number) {}

  /** An array of `length` floats with arbitrary contents: the caller overwrites all of it. */
  acquire(length: number): Float32Array {
    if (length === 0) return new Float32Array(0);
    const stack = this.free.get(length);
    const array = stack?.pop();
    if (array !== undefined) {
      this.freeBytes -= array.byteLength;
      this.reused += 1;
      this.owned.set(array.buffer, { array, holders: 0, retired: false });
      return array;
    }
    // A miss gives back at least as many free bytes as it allocates, least recently freed lengths
    // first: with batches of varying shapes (dynamic padding, evaluation between steps) arrays of
    // lengths no longer asked for would otherwise sit in the pool up to its capacity, on top of
    // what the step holds (BERT-Base transfer: 2.3 GiB of its 8.2 GiB peak).
    this.evict(4 * length);
    const fresh = new Float32Array(length);
    this.owned.set(fresh.buffer, { array: fresh, holders: 0, retired: false });
    return fresh;
  }

  /** Drops free arrays, least recently freed lengths first, until `bytes` are dropped or none is left. */
  private evict(bytes: number): void {
    let dropped = 0;
    for (const [length, stack] of this.free) {
      while (stack.length > 0 && dropped < bytes) {
        const array = stack.pop() as Float32Array;
        dropped += array.byteLength;
        this.freeBytes -= array.byteLength;
      }
      if (stack.length === 0) this.free.delete(length);
      if (dropped >= bytes) return;
    }
  }

  /** The backend stored `values` under a data id. */
  stored(values: unknown): void {
    const record = this.recordOf(values);
    if (record === undefined) return;
    if (values === record.array) record.holders += 1;
    else record.retired = true; // a view on pooled memory
  }

  /** The backend dropped a data id that held `values`. */
  dropped(values: unknown): void {
    const record = this.recordOf(values);
    if (record === undefined || values !== record.array) return;
    record.holders -= 1;
    if (record.holders > 0 || record.retired) return;
    this.owned.delete(record.array.buffer);
    if (this.freeBytes + record.array.byteLength > this.capacityBytes) return;
    const stack = this.free.get(record.array.length) ?? [];
    stack.push(record.array);
    // Re-inserted last: the map's order is least recently freed length first (what evict drops).
    this.free.delete(record.array.length);
    this.free.set(record.array.length, stack);
    this.freeBytes += record.array.byteLength;
  }

  /** `values` left the backend (read out): it is never recycled. */
  escaped(values: unknown): void {
    const record = this.recordOf(values);
    if (record !== undefined) record.retired = true;
  }

  /** Drops every free array. */
  clear(): void {
    this.free.clear();
    this.freeBytes = 0;
  }

  private recordOf(values: unknown): Owned | undefined {
    return values instanceof Float32Array ? this.owned.get(values.buffer) : undefined;
  }
}

const pools = new WeakMap<object, Float32Pool>();

/**
 * Wraps a cpu-memory tfjs backend so that its stores, deletions and reads report to a new pool,
 * and returns the pool. Kernels then draw outputs with {@link allocateOutput}.
 *
 * @example
 * ```ts
 * const backend = cpuFactory();
 * attachPool(backend, 2 ** 31);
 * ```
 */
export function attachPool(backend: object, capacityBytes: number): Float32Pool {
  const pool = new Float32Pool(capacityBytes);
  const target = backend as PoolableBackend;
  const data = target.data;
  const set = data.set.bind(data);
  const remove = data.delete.bind(data);
  data.set = (dataId, value) => {
    const previous = data.has(dataId) ? data.get(dataId)?.values : undefined;
    set(dataId, value);
    if (previous === value.values) return;
    if (previous !== undefined) pool.dropped(previous);
    pool.stored(value.values);
  };
  data.delete = (dataId) => {
    const previous = data.has(dataId) ? data.get(dataId)?.values : undefined;
    const removed = remove(dataId);
    if (removed && previous !== undefined) pool.dropped(previous);
    return removed;
  };
  const readSync = target.readSync.bind(backend);
  const read = target.read.bind(backend);
  target.readSync = (dataId) => {
    pool.escaped(data.get(dataId)?.values);
    return readSync(dataId);
  };
  target.read = (dataId) => {
    pool.escaped(data.get(dataId)?.values);
    return read(dataId);
  };
  pools.set(backend, pool);
  return pool;
}

/** The pool attached to `backend`, if any. */
export function poolOf(backend: unknown): Float32Pool | undefined {
  return typeof backend === 'object' && backend !== null ? pools.get(backend) : undefined;
}

/**
 * A float32 output array of `length` for a kernel running on `backend`: from its pool when it
 * has one (contents arbitrary: write all of it), else a fresh zeroed array.
 *
 * @example
 * ```ts
 * const out = allocateOutput(args.backend, size);
 * ```
 */
export function allocateOutput(backend: unknown, length: number): Float32Array {
  return poolOf(backend)?.acquire(length) ?? new Float32Array(length);
}
