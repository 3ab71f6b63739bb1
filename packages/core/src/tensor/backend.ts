import { BackendError } from '../errors/backend-error';
import { tf } from './tf';
import { registerWasmKernels } from './wasm-kernels';

/** The backends pofa knows how to start without plugins, in the order it prefers them. */
export const BACKEND_NAMES = ['tensorflow', 'wasm', 'cpu'] as const;
export type BuiltinBackendName = (typeof BACKEND_NAMES)[number];
/** A built-in backend, or one a plugin added with {@link registerBackendLoader}. */
export type BackendName = BuiltinBackendName | (string & {});

/** Options of {@link initBackend}. */
export interface InitBackendOptions {
  /** Force a backend; otherwise `POFA_BACKEND`, otherwise the first that starts. */
  backend?: BackendName;
}

/** What a backend loader may ask of pofa: to load another backend first (e.g. `cpu`, whose kernels it reuses). */
export interface BackendLoaderContext {
  loadBackend(name: BackendName): Promise<boolean>;
}

/**
 * A plugin's way to start a tfjs backend (a versioned plain object). `load` registers the
 * tfjs backend (and its kernels) and says whether it can run here; it is called at most once.
 * `initBackend()` tries backends by decreasing `priority`: `tensorflow` 300, `wasm` 200, `cpu` 100.
 */
export interface BackendLoaderSpec {
  specificationVersion: 'v1';
  name: string;
  priority: number;
  load(context: BackendLoaderContext): Promise<boolean> | boolean;
}

const builtinLoaders: BackendLoaderSpec[] = [
  {
    specificationVersion: 'v1',
    name: 'tensorflow',
    priority: 300,
    load: async () => {
      // tfjs-node registers the `tensorflow` backend when imported; its native library
      // may be missing (its installer downloads it), so any failure means "not available".
      for (const name of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
        try {
          await import(/* @vite-ignore */ name);
          if (tf.findBackendFactory('tensorflow') !== null) return true;
        } catch {
          // not installed or cannot load: try the next one
        }
      }
      return false;
    },
  },
  {
    specificationVersion: 'v1',
    name: 'wasm',
    priority: 200,
    load: async () => {
      try {
        await import('@tensorflow/tfjs-backend-wasm');
      } catch {
        return false;
      }
      registerWasmKernels();
      return tf.findBackendFactory('wasm') !== null;
    },
  },
  {
    specificationVersion: 'v1',
    name: 'cpu',
    priority: 100,
    load: async () => {
      await import('@tensorflow/tfjs-backend-cpu');
      return tf.findBackendFactory('cpu') !== null;
    },
  },
];

/**
 * The registered plugin loaders live on `globalThis` under a `Symbol.for` key, so that a plugin
 * package and the application agree on them even when each resolved its own copy of @pofa/core.
 * Plugins call {@link registerBackendLoader}; the key is part of the v1 loader spec.
 */
export const BACKEND_LOADERS_KEY: unique symbol = Symbol.for('@pofa/core/backend-loaders/v1') as never;

function pluginLoaders(): Map<string, BackendLoaderSpec> {
  const holder = globalThis as unknown as Record<symbol, Map<string, BackendLoaderSpec> | undefined>;
  let map = holder[BACKEND_LOADERS_KEY];
  if (map === undefined) {
    map = new Map();
    holder[BACKEND_LOADERS_KEY] = map;
  }
  return map;
}

function loaderOf(name: string): BackendLoaderSpec | undefined {
  return builtinLoaders.find((spec) => spec.name === name) ?? pluginLoaders().get(name);
}

const availability = new WeakMap<BackendLoaderSpec, Promise<boolean>>();

/** Every known backend name, highest priority first. */
function knownBackends(): string[] {
  return [...builtinLoaders, ...pluginLoaders().values()].sort((a, b) => b.priority - a.priority).map((spec) => spec.name);
}

/**
 * Adds a backend that `initBackend()` can start (by name, or on its own when it has the
 * highest priority among those that load). Registering a name again replaces its loader only
 * with `{ override: true }`; the built-in names cannot be replaced.
 *
 * @example
 * ```ts
 * registerBackendLoader({
 *   specificationVersion: 'v1', name: 'my-backend', priority: 250,
 *   load: async ({ loadBackend }) => (await loadBackend('cpu')) && registerMyBackend(),
 * });
 * ```
 */
export function registerBackendLoader(spec: BackendLoaderSpec, options: { override?: boolean } = {}): void {
  if (spec?.specificationVersion !== 'v1' || typeof spec.name !== 'string' || spec.name === '' || typeof spec.load !== 'function' || !Number.isFinite(spec.priority)) {
    throw new BackendError('Invalid backend loader', {
      expected: "{ specificationVersion: 'v1', name: non-empty string, priority: finite number, load: function }",
      received: JSON.stringify({ specificationVersion: spec?.specificationVersion, name: spec?.name, priority: spec?.priority, load: typeof spec?.load }),
      hint: 'Pass a BackendLoaderSpec',
    });
  }
  const builtin = (BACKEND_NAMES as readonly string[]).includes(spec.name);
  if (loaderOf(spec.name) !== undefined && (builtin || options.override !== true)) {
    throw new BackendError(`A loader for backend ${JSON.stringify(spec.name)} is already registered`, {
      expected: builtin ? `a name other than the built-in ${BACKEND_NAMES.join(', ')}` : 'a new backend name',
      received: spec.name,
      hint: builtin ? 'Pick another name for your backend' : 'Pass { override: true } to replace it',
    });
  }
  pluginLoaders().set(spec.name, spec);
}

function isAvailable(name: string): Promise<boolean> {
  const spec = loaderOf(name);
  if (spec === undefined) return Promise.resolve(false);
  let known = availability.get(spec);
  if (known === undefined) {
    known = Promise.resolve()
      .then(() => spec.load({ loadBackend: isAvailable }))
      .then((loaded) => loaded === true, () => false);
    availability.set(spec, known);
  }
  return known;
}

/** The backends that load on this machine, in order of preference. */
export async function availableBackends(): Promise<BackendName[]> {
  const found: BackendName[] = [];
  for (const name of knownBackends()) if (await isAvailable(name)) found.push(name);
  return found;
}

function requestedBackend(options: InitBackendOptions): BackendName | undefined {
  const requested = options.backend ?? process.env.POFA_BACKEND?.trim();
  if (requested === undefined || requested === '') return undefined;
  if (loaderOf(requested) === undefined) {
    throw new BackendError(`Unknown backend ${JSON.stringify(requested)}`, {
      expected: `one of ${knownBackends().join(', ')}`,
      received: requested,
      hint:
        requested === 'pofa-native'
          ? "Import @pofa/sparse-kernels and call registerPofaNativeBackend() before initBackend()"
          : options.backend === undefined ? 'Fix or unset the POFA_BACKEND environment variable' : 'Pass one of the names above',
    });
  }
  return requested;
}

/**
 * tfjs's cpu backend (which `pofa-native` extends) prints "Hi, looks like you are running
 * TensorFlow.js in Node.js ... install our node backend" on its first tensor unless tfjs is in
 * production mode. pofa picks its backend itself, so the banner only misleads; it is turned off
 * in debug mode (`POFA_DEBUG`) too, where other tfjs warnings stay on.
 */
function silenceNodeBanner(): void {
  const backend = tf.backend() as unknown as { firstUse?: unknown };
  if (typeof backend.firstUse === 'boolean') backend.firstUse = false;
}

/**
 * Starts the tfjs backend pofa runs on and returns its name: the loadable backend of highest
 * priority — `tensorflow` when `@tensorflow/tfjs-node-gpu` or `@tensorflow/tfjs-node` loads,
 * then any plugin backend ranked above wasm (such as `pofa-native` once
 * `registerPofaNativeBackend()` of `@pofa/sparse-kernels` ran), else `wasm`, else `cpu`.
 * `options.backend`, then the `POFA_BACKEND` environment variable, override the choice; an
 * unavailable backend is a {@link BackendError} listing the available ones.
 *
 * @example
 * ```ts
 * const name = await initBackend({ backend: 'cpu' });
 * console.log(name); // "cpu"
 * ```
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendName> {
  const requested = requestedBackend(options);
  await import('./gradients');
  // Production mode silences tfjs's warnings (POFA_DEBUG=1 keeps them).
  if (process.env.POFA_DEBUG === undefined) tf.enableProdMode();
  const candidates = requested === undefined ? knownBackends() : [requested];
  for (const name of candidates) {
    if (!(await isAvailable(name))) continue;
    if (!(await tf.setBackend(name))) continue;
    await tf.ready();
    silenceNodeBanner();
    return name;
  }
  const available = await availableBackends();
  throw new BackendError(`Backend ${JSON.stringify(requested)} is not available on this machine`, {
    expected: `one of the available backends: ${available.join(', ') || 'none'}`,
    received: String(requested),
    hint:
      requested === 'tensorflow'
        ? 'Install @tensorflow/tfjs-node (or -node-gpu) so that its native library downloads, or pick another backend'
        : 'Pick an available backend',
  });
}
