import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The functions of the compiled addon (`native/addon.cc`); arrays are used in place. */
export interface NativeAddon {
  /** `tokenTile`: tokens per tile of the active instruction set's tiled activation layout. */
  info(): { isa: 'avx512-vnni' | 'avx2' | 'scalar'; threads: number; supported: string[]; tokenTile: number };
  setThreads(threads: number): void;
  setIsa(isa: string): boolean;
  gemm(a: Float32Array, m: number, k: number, b: Float32Array, n: number, bias: Float32Array | null, out: Float32Array): void;
  linearCsr(
    input: Float32Array, tokens: number, cols: number, rows: number, pointers: Int32Array, columns: Int32Array, values: Float32Array, bias: Float32Array | null, gelu: boolean, out: Float32Array,
    inputTiled?: boolean, outTiled?: boolean,
  ): void;
  linearBlock4x1(
    input: Float32Array, tokens: number, cols: number, rows: number, pointers: Int32Array, columns: Int32Array, values: Float32Array, bias: Float32Array | null, gelu: boolean, out: Float32Array,
    inputTiled?: boolean, outTiled?: boolean,
  ): void;
  linearInt8(
    input: Float32Array, tokens: number, cols: number, rows: number, pointers: Int32Array, columns: Int32Array, weights: Int8Array, rowSums: Int32Array, scales: Float32Array,
    dynamic: boolean, scale: number, zeroPoint: number, bias: Float32Array | null, gelu: boolean, out: Float32Array, inputTiled?: boolean, outTiled?: boolean,
  ): void;
  layerNorm(x: Float32Array, rows: number, cols: number, gamma: Float32Array, beta: Float32Array, eps: number, out: Float32Array): void;
  gelu(x: Float32Array): void;
  add(a: Float32Array, b: Float32Array): void;
  attention(
    q: Float32Array, k: Float32Array, v: Float32Array, batch: number, seq: number, heads: number, headDim: number, mask: Float32Array | null, out: Float32Array, stride: number,
  ): void;
}

/** The addon's file name under `native/build/Release/`. */
export const ADDON_FILE = 'pofa_sparse_kernels.node';

/**
 * Where the addon may be: `POFA_SPARSE_KERNELS_ADDON` if set, else `native/build/Release/` of the
 * package, found by walking up from this module (works from `dist/` and from `src/kernels/`).
 */
export function addonCandidates(): string[] {
  const override = process.env.POFA_SPARSE_KERNELS_ADDON;
  if (override !== undefined && override !== '') return [override];
  const candidates: string[] = [];
  let directory = dirname(fileURLToPath(import.meta.url));
  for (let level = 0; level < 4; level++) {
    candidates.push(join(directory, 'native', 'build', 'Release', ADDON_FILE));
    directory = dirname(directory);
  }
  return candidates;
}

let cached: { addon?: NativeAddon; reason?: string } | undefined;

/**
 * Loads the native addon once per process; returns it, or the reason it could not load.
 *
 * @example
 * ```ts
 * const { addon, reason } = loadNativeAddon();
 * if (addon === undefined) console.log(reason);
 * ```
 */
export function loadNativeAddon(): { addon?: NativeAddon; reason?: string } {
  if (cached !== undefined) return cached;
  const candidates = addonCandidates();
  const found = candidates.find((path) => existsSync(path));
  if (found === undefined) {
    cached = { reason: `the addon is not built (looked for ${candidates.join(', ')}); run the package's build script with a C++17 compiler` };
    return cached;
  }
  try {
    const require = createRequire(import.meta.url);
    cached = { addon: require(found) as NativeAddon };
  } catch (error) {
    cached = { reason: `${found} failed to load: ${error instanceof Error ? error.message : String(error)}` };
  }
  return cached;
}
