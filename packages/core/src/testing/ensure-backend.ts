import { initBackend, type BackendName } from '../tensor/backend';
import { tf } from '../tensor/tf';

/**
 * Starts `backend` when given; otherwise starts pofa's preferred backend only when no
 * backend is running yet, so a test file's own `initBackend` choice is kept.
 *
 * @example
 * ```ts
 * beforeAll(() => ensureBackend('cpu'));
 * ```
 */
export async function ensureBackend(backend?: BackendName): Promise<void> {
  if (backend !== undefined) {
    await initBackend({ backend });
    return;
  }
  if (tf.engine().backendName == null) await initBackend();
}
