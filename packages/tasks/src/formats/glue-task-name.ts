import { z } from 'zod';

/**
 * The nine GLUE tasks, by the short names GLUE's data folders use (lower-cased, no dash).
 *
 * @example
 * ```ts
 * for (const task of GLUE_TASK_NAMES) console.log(task); // 'cola', 'sst2', ...
 * ```
 */
export const GLUE_TASK_NAMES = ['cola', 'sst2', 'mrpc', 'stsb', 'qqp', 'mnli', 'qnli', 'rte', 'wnli'] as const;

/** One of {@link GLUE_TASK_NAMES}. */
export type GlueTaskName = (typeof GLUE_TASK_NAMES)[number];

/**
 * Zod schema of a {@link GlueTaskName}.
 *
 * @example
 * ```ts
 * GlueTaskNameSchema.parse('rte'); // 'rte'
 * ```
 */
export const GlueTaskNameSchema = z.enum(GLUE_TASK_NAMES);
