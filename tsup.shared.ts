import type { Options } from 'tsup';

/** What one package's build may change; everything else is the same for every package. */
export interface PackageBuild {
  /** Entry points by output name (default `{ index: 'src/index.ts' }`). */
  entry?: Record<string, string>;
  /** Which entries get declaration files (default: every entry). */
  dts?: Options['dts'];
  /** Imports left out of the bundle beyond the package's dependencies. */
  external?: Options['external'];
  /** Imports bundled although they are dependencies. */
  noExternal?: Options['noExternal'];
}

/**
 * The tsup settings every package builds with: ESM only, declarations, source maps, a clean
 * `dist/`, Node 20 syntax; `build` names what differs in a package (its entries, which of them
 * get declarations, what is bundled). Each package's `tsup.config.ts` is one call to this.
 *
 * @example
 * ```ts
 * // packages/models/tsup.config.ts
 * import { sharedBuildConfig } from '../../tsup.shared';
 *
 * export default sharedBuildConfig({ entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' } });
 * ```
 */
export function sharedBuildConfig(build: PackageBuild = {}): Options {
  return {
    entry: build.entry ?? { index: 'src/index.ts' },
    format: ['esm'],
    dts: build.dts ?? true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    ...(build.external === undefined ? {} : { external: build.external }),
    ...(build.noExternal === undefined ? {} : { noExternal: build.noExternal }),
  };
}
