/** What a {@link BatchQueue} reports after each batch (metrics hook). */
export interface BatchObserver {
  /** A batch of `size` items is about to run; `waiting` items stay queued behind it. */
  onBatch?(size: number, waiting: number): void;
  /** Items queued (waiting for a batch) changed. */
  onQueueLength?(length: number): void;
}

/** Options of {@link createBatchQueue}. */
export interface BatchQueueOptions<Item, Result> {
  /** Most items per batch. */
  maxBatch: number;
  /** How long the first queued item waits for others before its batch runs (0: run at the next tick). */
  maxWaitMs: number;
  /** Runs one batch: one result per item, in order. */
  run(items: Item[]): Promise<Result[]>;
  observer?: BatchObserver;
}

/** Requests' items gathered into batches (see {@link createBatchQueue}). */
export interface BatchQueue<Item, Result> {
  /** Queues a request's items; resolves with their results once every batch holding them has run. */
  submit(items: readonly Item[]): Promise<Result[]>;
  /** Items waiting for a batch. */
  readonly length: number;
  /** Resolves when nothing is queued or running (for a graceful shutdown). */
  drain(): Promise<void>;
}

interface Pending<Item, Result> {
  item: Item;
  resolve(result: Result): void;
  reject(error: unknown): void;
}

/**
 * Dynamic batching as Triton and TorchServe do it: items of concurrent requests are queued;
 * a batch runs when `maxBatch` items wait or `maxWaitMs` after the first of them arrived,
 * whichever comes first; batches run one at a time (the runtime uses every core for one), and
 * items that arrive meanwhile form the next, which runs as soon as the current one ends. A request with more items than `maxBatch` spans
 * several batches. A failed batch rejects the requests of its items only.
 *
 * @example
 * ```ts
 * const queue = createBatchQueue({ maxBatch: 32, maxWaitMs: 5, run: (texts) => classify(texts) });
 * const [label] = await queue.submit(['Lunch at noon?']);
 * ```
 */
export function createBatchQueue<Item, Result>(options: BatchQueueOptions<Item, Result>): BatchQueue<Item, Result> {
  const { maxBatch, maxWaitMs, run, observer } = options;
  const queue: Array<Pending<Item, Result>> = [];
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let idle: Array<() => void> = [];

  const settleIdle = (): void => {
    if (running || queue.length > 0) return;
    for (const resolve of idle) resolve();
    idle = [];
  };

  const runNext = async (): Promise<void> => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (running || queue.length === 0) return;
    running = true;
    const batch = queue.splice(0, maxBatch);
    observer?.onBatch?.(batch.length, queue.length);
    observer?.onQueueLength?.(queue.length);
    try {
      const results = await run(batch.map(({ item }) => item));
      batch.forEach((pending, index) => pending.resolve(results[index]));
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    } finally {
      running = false;
    }
    // Items that arrived during the batch have waited at least that long: run them next, after
    // letting pending I/O (more requests) in.
    if (queue.length > 0) setImmediate(() => void runNext());
    settleIdle();
  };

  const schedule = (): void => {
    if (running) return;
    if (queue.length >= maxBatch) void runNext();
    else if (timer === undefined) timer = setTimeout(() => void runNext(), maxWaitMs);
  };

  return {
    submit(items) {
      const results = items.map((item) => new Promise<Result>((resolve, reject) => queue.push({ item, resolve, reject })));
      observer?.onQueueLength?.(queue.length);
      schedule();
      return Promise.all(results);
    },
    get length() {
      return queue.length;
    },
    drain() {
      return new Promise((resolve) => {
        idle.push(resolve);
        settleIdle();
      });
    },
  };
}
