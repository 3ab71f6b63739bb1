// Test support for the end-to-end run; it imports @pofa/models, @pofa/tasks and @pofa/prune
// (dev dependencies), so the package root must NOT re-export it.
export { createSpamPipeline, PIPELINE_SCALES, type PipelineScale, type SpamPipeline } from './spam-pipeline';
