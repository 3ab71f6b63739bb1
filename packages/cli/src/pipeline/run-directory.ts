import { access, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, writeFileAtomic } from '@pofa/core';
import { stableStringify } from './cache';
import { checkOutputTarget } from './output-target';

const RUN_FILE = 'run.json';
const DONE_FILE = 'done.json';

/** The run folder (`--out`): its settings, and which stages finished. */
export interface RunDirectory {
  dir: string;
  /** The folder of a stage (`<out>/<stage>`). */
  stageDir(stage: string): string;
  /** The record of a finished stage, or undefined. */
  finished(stage: string): Promise<Record<string, unknown> | undefined>;
  /**
   * Marks a stage finished, with what it reports (timing, losses), then deletes the stage's
   * Trainer checkpoints: a finished stage is never resumed, and at BERT-Base size they weigh
   * 1.3 GB (weights, AdamW moments, masks) beside the stage's model.
   */
  finish(stage: string, record: Record<string, unknown>): Promise<void>;
  /** Marks the whole run finished. */
  complete(): Promise<void>;
}

async function readJson(path: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function differences(saved: Record<string, unknown>, current: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(saved), ...Object.keys(current)]);
  return [...keys].filter((key) => stableStringify(saved[key]) !== stableStringify(current[key]));
}

/**
 * Checks a run folder (`--out DIR`) before any work, as every output is checked
 * ({@link checkOutputTarget}): not a file, device or `/proc` path; its parent exists and is
 * writable; a non-empty folder is accepted when it holds a pofa run (`run.json`; an interrupted
 * one is then refused or resumed by {@link openRunDirectory}), or with `force` (pofa writes into it
 * and keeps the other files).
 *
 * @example
 * ```ts
 * await checkRunFolder('/abs/pofa-out', { label: '--out pofa-out', force: false, resume: false });
 * ```
 */
export async function checkRunFolder(dir: string, options: { label: string; force: boolean; resume: boolean }): Promise<void> {
  const holdsRun = async (folder: string) => (await readJson(join(folder, RUN_FILE))) !== undefined;
  await checkOutputTarget(dir, { kind: 'folder', label: options.label, force: options.force || options.resume, ownedByPofa: holdsRun });
}

/**
 * Opens the run folder. A fresh run (no `resume`) refuses a folder that holds an interrupted
 * run (so it is not overwritten by mistake) and clears a finished one; `resume` requires a
 * previous run with the same settings, and keeps its finished stages and the checkpoints of
 * the stage it stopped in.
 *
 * @example
 * ```ts
 * const run = await openRunDirectory('pofa-out', { task: 'spam', sparsity: 0.9 }, { resume: false });
 * ```
 */
export async function openRunDirectory(dir: string, settings: Record<string, unknown>, options: { resume: boolean; command: string }): Promise<RunDirectory> {
  const saved = await readJson(join(dir, RUN_FILE));
  if (options.resume) {
    if (saved === undefined) {
      throw new ConfigError(`Nothing to resume in ${dir}`, {
        expected: `a folder with the ${RUN_FILE} of an earlier pofa ${options.command} run`,
        received: 'none',
        hint: 'Check --out, or drop --resume to start a new run',
      });
    }
    const changed = differences((saved.settings ?? {}) as Record<string, unknown>, settings);
    if (changed.length > 0) {
      throw new ConfigError(`Cannot resume the run in ${dir} with other settings`, {
        expected: 'the options of the interrupted run',
        received: `changes to ${changed.join(', ')}`,
        hint: 'Resume with the same options, or choose another --out',
      });
    }
  } else if (saved !== undefined) {
    if (saved.completed !== true) {
      throw new ConfigError(`${dir} holds an interrupted run`, {
        expected: 'an empty or finished --out folder',
        received: 'an unfinished run',
        hint: `Continue it with pofa ${options.command} --resume${dir === 'pofa-out' ? '' : ` --out ${dir}`}, or delete the folder to start over`,
      });
    }
    await rm(dir, { recursive: true, force: true });
  }
  if (!options.resume || saved === undefined) {
    await writeFileAtomic(join(dir, RUN_FILE), `${JSON.stringify({ command: options.command, settings, completed: false }, null, 2)}\n`);
  }
  const stageDir = (stage: string) => join(dir, stage);
  return {
    dir,
    stageDir,
    async finished(stage) {
      const path = join(stageDir(stage), DONE_FILE);
      try {
        await access(path);
      } catch {
        return undefined;
      }
      return readJson(path);
    },
    async finish(stage, record) {
      await writeFileAtomic(join(stageDir(stage), DONE_FILE), `${JSON.stringify(record, null, 2)}\n`);
      await rm(join(stageDir(stage), 'checkpoints'), { recursive: true, force: true });
    },
    async complete() {
      const current = (await readJson(join(dir, RUN_FILE))) ?? {};
      await writeFileAtomic(join(dir, RUN_FILE), `${JSON.stringify({ ...current, completed: true }, null, 2)}\n`);
    },
  };
}
