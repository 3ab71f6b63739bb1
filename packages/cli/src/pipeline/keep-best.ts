import { access, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic, type Module, type TrainingEvaluate } from '@pofa/core';
import { savePretrained, type EncoderModel } from '@pofa/models';

// Keeping the best weights of a stage: its validation score taken during training, the best-scoring
// weights saved beside its checkpoints, and which step was kept (`trainStage`'s `keepBest`).

/** How a stage keeps its best weights: the validation score (higher is better) and how often to take it. */
export interface KeepBest {
  /** Optimizer steps between two validation scores (the last step is always scored). */
  every: number;
  metric: string;
  score(model: Module): Promise<number>;
}

/** The best validation score of a stage so far, the step it was reached at, and the folder holding those weights. */
export interface BestValidation {
  step: number;
  metric: string;
  value: number;
  /** The folder under the stage's folder (`best-<step>`) with the weights, saved as `savePretrained` saves them. */
  folder: string;
}

const BEST_FILE = 'best.json';

/** Which step of a stage was kept, out of how many, and its validation score. */
export interface KeptStep {
  step: number;
  steps: number;
  metric: string;
  value: number;
}

/**
 * The kept step of a stage trained with `keepBest` (null without one), for its record and the table.
 *
 * @example
 * ```ts
 * keptStep({ step: 120, metric: 'f1', value: 0.91, folder: 'best-120' }, 150); // { step: 120, steps: 150, metric: 'f1', value: 0.91 }
 * ```
 */
export function keptStep(best: BestValidation | undefined, steps: number): KeptStep | null {
  return best === undefined ? null : { step: best.step, steps, metric: best.metric, value: best.value };
}

/**
 * How often a stage of `steps` optimizer steps is scored on validation when it keeps its best
 * weights: ten times over the stage (and after the last step).
 *
 * @example
 * ```ts
 * evaluationInterval(150); // 15
 * ```
 */
export function evaluationInterval(steps: number): number {
  return Math.max(1, Math.floor(steps / 10));
}

/**
 * The best validation score a stage recorded in `dir` (see `trainStage`'s `keepBest`), or
 * undefined when none was recorded or its weights are missing.
 *
 * @example
 * ```ts
 * const best = await readBestValidation('pofa-out/sparse-transfer'); // { step: 120, metric: 'f1', value: 0.91, folder: 'best-120' }
 * ```
 */
export async function readBestValidation(dir: string): Promise<BestValidation | undefined> {
  try {
    const best = JSON.parse(await readFile(join(dir, BEST_FILE), 'utf8')) as BestValidation;
    await access(join(dir, best.folder, 'config.json'));
    return best;
  } catch {
    return undefined;
  }
}

/**
 * The Trainer's `evaluate` of a stage that keeps its best weights: scores the model, and when the
 * score beats the best so far (in `best.json`, so a resumed stage keeps comparing with it), saves
 * the weights in `best-<step>` (written to a temporary folder, then renamed), records it, and
 * deletes the previous best folder.
 */
export function bestKeeper(keepBest: KeepBest, dir: string): TrainingEvaluate<Module> {
  return async (model, { step }) => {
    const value = await keepBest.score(model);
    const previous = await readBestValidation(dir);
    // A tie goes to the later step: it trained longer for the same score.
    if (previous === undefined || value >= previous.value) {
      const folder = `best-${step}`;
      const temporary = join(dir, `.${folder}.tmp`);
      await rm(temporary, { recursive: true, force: true });
      await savePretrained(model as EncoderModel, temporary);
      await rm(join(dir, folder), { recursive: true, force: true });
      await rename(temporary, join(dir, folder));
      await writeFileAtomic(join(dir, BEST_FILE), `${JSON.stringify({ step, metric: keepBest.metric, value, folder } satisfies BestValidation, null, 2)}\n`);
      if (previous !== undefined && previous.folder !== folder) await rm(join(dir, previous.folder), { recursive: true, force: true });
    }
    return { [keepBest.metric]: value };
  };
}
