import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts', 'testing/vitest': 'src/testing/vitest.ts' },
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  external: [/^@tensorflow\/(?!tfjs-core\/dist\/)/, 'vitest'],
  noExternal: [/^@tensorflow\/tfjs-core\/dist\//],
});
