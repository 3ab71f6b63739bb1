/**
 * The run folder: how every pofa command that trains writes, resumes and reuses its work.
 * Identities ({@link canonicalJson}, {@link identityHash}) decide reuse; a stage's folder holds
 * its identity and, once finished, its `done.json` ({@link onceIn}); a run's folder its settings
 * ({@link openRunDirectory} for compress/transfer, {@link openWorkFolder} for reproduce); shared
 * artifacts (vocabularies, teachers) live in the cache ({@link cachedArtifact}). Files are written
 * to a temporary, then renamed.
 */
export { canonicalJson, identityHash } from './identity';
export { onceIn, openStageFolder, openWorkFolder, writeResultFiles, IDENTITY_FILE, type Say, type StageOutput, type StageRecord } from './stage-folder';
export { checkRunFolder, openRunDirectory, type RunDirectory } from './run-directory';
export { cacheKey, cachedArtifact, readCacheInfo, resolveCacheDir, type CachedArtifact } from './cache';
