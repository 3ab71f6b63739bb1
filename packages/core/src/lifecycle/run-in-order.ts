/** A step of a hook sequence: synchronous, or returning a promise. */
export type HookStep = () => unknown;

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * Runs `steps` one after another. It stays synchronous while the steps are, and returns a
 * promise from the first step that returns one, so sync plugins never pay for async ones.
 *
 * @example
 * ```ts
 * runInOrder([() => console.log(1), async () => console.log(2), () => console.log(3)]); // a Promise
 * ```
 */
export function runInOrder(steps: readonly HookStep[]): void | Promise<void> {
  for (let index = 0; index < steps.length; index++) {
    const result = steps[index]();
    if (isPromiseLike(result)) {
      const rest = steps.slice(index + 1);
      return Promise.resolve(result).then(() => runInOrder(rest));
    }
  }
  return undefined;
}
