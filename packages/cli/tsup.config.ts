import { sharedBuildConfig } from '../../tsup.shared';

// src/bin.ts starts with the `#!/usr/bin/env node` shebang, which esbuild keeps at the top of dist/bin.js; only the library entry gets declarations.
export default sharedBuildConfig({ entry: { index: 'src/index.ts', bin: 'src/bin.ts' }, dts: { entry: { index: 'src/index.ts' } } });
