import { sharedBuildConfig } from '../../tsup.shared';

export default sharedBuildConfig({ entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' } });
