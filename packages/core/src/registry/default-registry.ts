import { createRegistry, type Registry } from './create-registry';

/**
 * The registry recipes and the CLI use when none is given. It starts empty: importing a
 * package registers nothing; call that package's `registerBuiltins(defaultRegistry)`.
 *
 * @example
 * ```ts
 * import { defaultRegistry } from '@pofa/core';
 * registerBuiltins(defaultRegistry);
 * console.log(defaultRegistry.list('pruning-method'));
 * ```
 */
export const defaultRegistry: Registry = /* @__PURE__ */ createRegistry();
