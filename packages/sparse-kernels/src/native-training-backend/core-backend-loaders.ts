/** The v1 backend-loader spec of `@pofa/core` (`BackendLoaderSpec` in its `tensor/backend.ts`). */
export interface BackendLoaderSpecV1 {
  specificationVersion: 'v1';
  name: string;
  priority: number;
  load(context: { loadBackend(name: string): Promise<boolean> }): Promise<boolean> | boolean;
}

/** Where `@pofa/core` keeps plugin backend loaders (shared across duplicated installs). */
const BACKEND_LOADERS_KEY = Symbol.for('@pofa/core/backend-loaders/v1');

/**
 * Adds `spec` to `@pofa/core`'s plugin backend loaders unless one of that name is there, the
 * same way core's `registerBackendLoader` does; `initBackend()` then ranks it by priority.
 *
 * @example
 * ```ts
 * addCoreBackendLoader({ specificationVersion: 'v1', name: 'pofa-native', priority: 250, load: async () => true });
 * ```
 */
export function addCoreBackendLoader(spec: BackendLoaderSpecV1): void {
  const holder = globalThis as unknown as Record<symbol, Map<string, BackendLoaderSpecV1> | undefined>;
  let loaders = holder[BACKEND_LOADERS_KEY];
  if (loaders === undefined) {
    loaders = new Map();
    holder[BACKEND_LOADERS_KEY] = loaders;
  }
  if (!loaders.has(spec.name)) loaders.set(spec.name, spec);
}
