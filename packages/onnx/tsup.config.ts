import { sharedBuildConfig } from '../../tsup.shared';

export default sharedBuildConfig();
