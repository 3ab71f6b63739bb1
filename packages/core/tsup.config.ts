import { sharedBuildConfig } from '../../tsup.shared';

// tfjs-core's deep dist/ files are bundled (they lack file extensions under Node ESM); other @tensorflow packages and vitest stay imports.
export default sharedBuildConfig({
  entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts', 'testing/vitest': 'src/testing/vitest.ts' },
  external: [/^@tensorflow\/(?!tfjs-core\/dist\/)/, 'vitest'],
  noExternal: [/^@tensorflow\/tfjs-core\/dist\//],
});
