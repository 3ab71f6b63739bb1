import { defineConfig } from 'tsup';

// src/bin.ts starts with the `#!/usr/bin/env node` shebang, which esbuild keeps at the top of dist/bin.js.

export default defineConfig({
  entry: { index: 'src/index.ts', bin: 'src/bin.ts' },
  format: ['esm'],
  dts: { entry: { index: 'src/index.ts' } },
  clean: true,
  sourcemap: true,
  target: 'node20',
});
