import { BackendError } from '../errors/backend-error';
import { tf } from './tf';
import { registerWasmKernels } from './wasm-kernels';

/** The backends pofa knows how to start, in the order it prefers them. */
export const BACKEND_NAMES = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** Options of {@link initBackend}. */
export interface InitBackendOptions {
  /** Force a backend; otherwise `POFA_BACKEND`, otherwise the first that starts. */
  backend?: BackendName;
}

type Loader = () => Promise<boolean>;

const loaders: Record<BackendName, Loader> = {
  tensorflow: async () => {
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
  wasm: async () => {
    try {
      await import('@tensorflow/tfjs-backend-wasm');
    } catch {
      return false;
    }
    registerWasmKernels();
    return tf.findBackendFactory('wasm') !== null;
  },
  cpu: async () => {
    await import('@tensorflow/tfjs-backend-cpu');
    return tf.findBackendFactory('cpu') !== null;
  },
};

const availability = new Map<BackendName, boolean>();

async function isAvailable(name: BackendName): Promise<boolean> {
  let known = availability.get(name);
  if (known === undefined) {
    known = await loaders[name]();
    availability.set(name, known);
  }
  return known;
}

/** The backends that load on this machine, in order of preference. */
export async function availableBackends(): Promise<BackendName[]> {
  const found: BackendName[] = [];
  for (const name of BACKEND_NAMES) if (await isAvailable(name)) found.push(name);
  return found;
}

function requestedBackend(options: InitBackendOptions): BackendName | undefined {
  const requested = options.backend ?? process.env.POFA_BACKEND?.trim();
  if (requested === undefined || requested === '') return undefined;
  if (!(BACKEND_NAMES as readonly string[]).includes(requested)) {
    throw new BackendError(`Unknown backend ${JSON.stringify(requested)}`, {
      expected: `one of ${BACKEND_NAMES.join(', ')}`,
      received: requested,
      hint: options.backend === undefined ? 'Fix or unset the POFA_BACKEND environment variable' : 'Pass one of the names above',
    });
  }
  return requested as BackendName;
}

/**
 * Starts the tfjs backend pofa runs on and returns its name: `tensorflow` when
 * `@tensorflow/tfjs-node-gpu` or `@tensorflow/tfjs-node` loads, else `wasm`, else `cpu`.
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
  // Production mode silences tfjs's "install tfjs-node" banner and its debug checks.
  if (process.env.POFA_DEBUG === undefined) tf.enableProdMode();
  const candidates = requested === undefined ? BACKEND_NAMES : [requested];
  for (const name of candidates) {
    if (!(await isAvailable(name))) continue;
    if (!(await tf.setBackend(name))) continue;
    await tf.ready();
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
