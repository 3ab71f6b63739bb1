import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, writeFileAtomic } from '@pofa/core';
import { checkOutputTarget } from '../pipeline/output-target';
import { canonicalJson } from './identity';
import { onceIn, type Say, type StageRecord } from './stage-folder';

const RUN_FILE = 'run.json';

/** The layout of a run folder this pofa reads and writes (`format` in `run.json`; absent before it was versioned). */
const RUN_FORMAT = 1;

/** The run folder (`--out`): its settings, and which stages finished. */
export interface RunDirectory {
  dir: string;
  /** The folder of a stage (`<out>/<stage>`). */
  stageDir(stage: string): string;
  /**
   * Runs a stage once in `<dir>/<stage>` for `identity` ({@link onceIn}): a stage finished with
   * the same identity is not run again (its record comes back with `reused: true`), an interrupted
   * one resumes from its checkpoints, and once `work` returns its record goes to `done.json` and
   * its Trainer checkpoints are deleted (at BERT-Base size they weigh 1.3 GB: weights, AdamW
   * moments, masks).
   */
  stage<R extends object>(stage: string, identity: unknown, work: (dir: string) => Promise<R>): Promise<StageRecord<R> & { reused: boolean }>;
  /** Marks the whole run finished. */
  complete(): Promise<void>;
}

/** A JSON object read from `path`; undefined when the file is missing, unreadable or holds anything else (a damaged `run.json` is no run). */
async function readJson(path: string): Promise<Record<string, unknown> | undefined> {
  try {
    const value: unknown = JSON.parse(await readFile(path, 'utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The settings whose values differ; one that cannot be compared (nested past any real setting) counts as changed. */
function differences(saved: Record<string, unknown>, current: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(saved), ...Object.keys(current)]);
  return [...keys].filter((key) => {
    try {
      return canonicalJson(saved[key]) !== canonicalJson(current[key]);
    } catch {
      return true;
    }
  });
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
 * previous run of the same command, run-folder format and settings, and keeps its finished
 * stages and the checkpoints of the stage it stopped in.
 *
 * @example
 * ```ts
 * const run = await openRunDirectory('pofa-out', { task: 'spam', sparsity: 0.9 }, { resume: false });
 * ```
 */
export async function openRunDirectory(dir: string, settings: Record<string, unknown>, options: { resume: boolean; command: string; say?: Say }): Promise<RunDirectory> {
  const saved = await readJson(join(dir, RUN_FILE));
  if (options.resume) {
    if (saved === undefined) {
      throw new ConfigError(`Nothing to resume in ${dir}`, {
        expected: `a folder with the ${RUN_FILE} of an earlier pofa ${options.command} run`,
        received: 'none',
        hint: 'Check --out, or drop --resume to start a new run',
      });
    }
    if (saved.format !== RUN_FORMAT) {
      throw new ConfigError(`Cannot resume the run in ${dir}: it was written by another version of pofa`, {
        expected: `a run folder of format ${RUN_FORMAT}`,
        received: saved.format === undefined ? 'a run folder without a format (an earlier pofa)' : typeof saved.format === 'number' ? `format ${saved.format}` : 'a format that is not a number',
        hint: 'Resume it with the pofa that started it, or choose another --out to start over',
      });
    }
    if (saved.command !== options.command) {
      throw new ConfigError(`Cannot resume the run in ${dir} with pofa ${options.command}`, {
        expected: `a run of pofa ${options.command}`,
        received: typeof saved.command === 'string' ? `a run of pofa ${saved.command.slice(0, 40)}` : 'a run without a command',
        hint: typeof saved.command === 'string' ? `Resume it with pofa ${saved.command.slice(0, 40)} --resume, or choose another --out` : 'Choose another --out',
      });
    }
    const savedSettings = saved.settings !== null && typeof saved.settings === 'object' && !Array.isArray(saved.settings) ? (saved.settings as Record<string, unknown>) : {};
    const changed = differences(savedSettings, settings);
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
    await writeFileAtomic(join(dir, RUN_FILE), `${JSON.stringify({ format: RUN_FORMAT, command: options.command, settings, completed: false }, null, 2)}\n`);
  }
  const stageDir = (stage: string) => join(dir, stage);
  return {
    dir,
    stageDir,
    stage: (stage, identity, work) => onceIn(stageDir(stage), work, { stage, ...(identity as object) }, options.say),
    async complete() {
      const current = (await readJson(join(dir, RUN_FILE))) ?? {};
      await writeFileAtomic(join(dir, RUN_FILE), `${JSON.stringify({ ...current, completed: true }, null, 2)}\n`);
    },
  };
}
