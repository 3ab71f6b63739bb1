import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NativeAddonError } from './native-addon-error';

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

/** The addon's file name under `native/build/Release/` (a build from source). */
export const ADDON_FILE = 'pofa_sparse_kernels.node';

/** The package's root: the nearest folder above this module whose package.json is this package's. */
function packageRoot(): string | undefined {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (let level = 0; level < 4; level++) {
    const manifest = join(directory, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === '@pofa/sparse-kernels') return directory;
    directory = dirname(directory);
  }
  return undefined;
}

/**
 * Where the addon may be, in order: `POFA_SPARSE_KERNELS_ADDON` if set (alone); else the build
 * from source (`native/build/Release/`, made by the package's build script or by its install
 * script where no prebuilt binary fits), then the prebuilt binary for this platform, architecture
 * and libc under `prebuilds/<platform>-<arch>/` (chosen by `node-gyp-build`), when one exists.
 *
 * @example
 * ```ts
 * console.log(addonCandidates()); // [".../native/build/Release/pofa_sparse_kernels.node", ".../prebuilds/linux-x64/node.napi.glibc.node"]
 * ```
 */
export function addonCandidates(): string[] {
  const override = process.env.POFA_SPARSE_KERNELS_ADDON;
  if (override !== undefined && override !== '') return [override];
  const root = packageRoot();
  if (root === undefined) return [];
  const candidates = [join(root, 'native', 'build', 'Release', ADDON_FILE)];
  const prebuild = findPrebuild(root);
  if (prebuild !== undefined) candidates.push(prebuild);
  return candidates;
}

/** `node-gyp-build`'s pick among `prebuilds/<platform>-<arch>/*.node` (Node-API, libc tags), if any. */
function findPrebuild(root: string): string | undefined {
  if (!existsSync(join(root, 'prebuilds'))) return undefined;
  try {
    const nodeGypBuild = createRequire(import.meta.url)('node-gyp-build') as { resolve(directory: string): string };
    return nodeGypBuild.resolve(root);
  } catch {
    return undefined; // no prebuild matches this platform, architecture or libc
  }
}

function platformName(): string {
  const libc = process.platform === 'linux' ? (existsSync('/etc/alpine-release') ? ' (musl)' : ' (glibc)') : '';
  return `${process.platform}-${process.arch}${libc}`;
}

let cached: { addon?: NativeAddon; reason?: string } | undefined;

/**
 * Loads the native addon once per process; returns it, or the reason (one line) it could not
 * load. With `POFA_REQUIRE_NATIVE=1` (CI, deployment images) a missing or broken addon throws a
 * {@link NativeAddonError} instead.
 *
 * @example
 * ```ts
 * const { addon, reason } = loadNativeAddon();
 * if (addon === undefined) console.log(reason);
 * ```
 */
export function loadNativeAddon(): { addon?: NativeAddon; reason?: string } {
  if (cached !== undefined) return cached;
  cached = tryLoad();
  if (cached.addon === undefined && process.env.POFA_REQUIRE_NATIVE === '1') {
    throw new NativeAddonError('The native addon of @pofa/sparse-kernels did not load', {
      expected: 'a prebuilt binary for this platform or a build from source',
      received: cached.reason,
      hint: 'Build it (`pnpm --filter @pofa/sparse-kernels build` in the repository, `npm rebuild @pofa/sparse-kernels` in an install) with a C++17 compiler, or unset POFA_REQUIRE_NATIVE to run the portable kernels',
    });
  }
  return cached;
}

function tryLoad(): { addon?: NativeAddon; reason?: string } {
  const candidates = addonCandidates();
  const found = candidates.find((path) => existsSync(path));
  const override = process.env.POFA_SPARSE_KERNELS_ADDON;
  if (found === undefined && override !== undefined && override !== '') return { reason: `POFA_SPARSE_KERNELS_ADDON names ${override}, which does not exist` };
  if (found === undefined) {
    return {
      reason: `no prebuilt native addon fits ${platformName()} and none was built from source (install with a C++17 compiler, or run \`npm rebuild @pofa/sparse-kernels\`)`,
    };
  }
  try {
    const require = createRequire(import.meta.url);
    return { addon: require(found) as NativeAddon };
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    return { reason: `${found} failed to load: ${message}` };
  }
}
