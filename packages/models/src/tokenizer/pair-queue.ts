/** A candidate merge: a pair of symbol ids and how often it occurred when queued. */
export interface PairEntry {
  first: number;
  second: number;
  count: number;
}

/** True when `a` should be merged before `b`: higher count, then smaller ids (as Hugging Face's trainer). */
function before(a: PairEntry, b: PairEntry): boolean {
  if (a.count !== b.count) return a.count > b.count;
  if (a.first !== b.first) return a.first < b.first;
  return a.second < b.second;
}

/**
 * A binary max-heap of merge candidates with a total, deterministic order. Counts go stale
 * as merges change words; the trainer re-checks the popped entry against the live count.
 *
 * @example
 * ```ts
 * const queue = new PairQueue();
 * queue.push({ first: 3, second: 7, count: 12 });
 * queue.pop(); // { first: 3, second: 7, count: 12 }
 * ```
 */
export class PairQueue {
  private readonly heap: PairEntry[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(entry: PairEntry): void {
    const heap = this.heap;
    heap.push(entry);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(heap[index], heap[parent])) break;
      [heap[index], heap[parent]] = [heap[parent], heap[index]];
      index = parent;
    }
  }

  pop(): PairEntry | undefined {
    const heap = this.heap;
    if (heap.length === 0) return undefined;
    const top = heap[0];
    const last = heap.pop() as PairEntry;
    if (heap.length > 0) {
      heap[0] = last;
      let index = 0;
      for (;;) {
        const left = 2 * index + 1;
        const right = left + 1;
        let best = index;
        if (left < heap.length && before(heap[left], heap[best])) best = left;
        if (right < heap.length && before(heap[right], heap[best])) best = right;
        if (best === index) break;
        [heap[index], heap[best]] = [heap[best], heap[index]];
        index = best;
      }
    }
    return top;
  }
}
