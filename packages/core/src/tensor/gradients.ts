// tfjs-core's package root registers no gradients (the `@tensorflow/tfjs` bundle does it).
// Its ESM files lack extensions and break under Node ESM, so tsup bundles this one import
// (see tsup.config.ts); the bundled copy shares tfjs's global engine and kernel registry.
// initBackend imports this module lazily, so importing @pofa/core registers nothing.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
