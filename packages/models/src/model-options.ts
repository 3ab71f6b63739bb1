import { ConfigError, createRandom, type InitOptions, type Random } from '@pofa/core';
import { z } from 'zod';
import { TASK_NAMES, type TaskName } from './features';

/** Options of a model constructor, as a zod schema. */
export const modelOptionsSchema = z
  .object({
    /** The head (default `base`: the bare encoder). */
    task: z.enum(TASK_NAMES as [TaskName, ...TaskName[]]).default('base'),
    /** Overrides `num_labels` of the config (classification heads). */
    numLabels: z.number().int().positive().optional(),
    /** Seed of the weight initialisation (default 0). */
    seed: z.number().int().default(0),
    /** Whether BERT has a pooler; default: with `base` and `sequence-classification`, as in Hugging Face. */
    pooler: z.boolean().optional(),
    /**
     * `false`: every weight starts at zero and nothing is drawn (for weights loaded right after,
     * as `loadPretrained` does when the checkpoint has them all); `'deferred'`: zeros too, but
     * core's `drawDeferred(parameter)` later gives any parameter the value `true` would have
     * (a new head on loaded weights); default true.
     */
    initialize: z.union([z.boolean(), z.literal('deferred')]).default(true),
  })
  .strict();

/** What model constructors accept. */
export type ModelOptions = z.input<typeof modelOptionsSchema> & { random?: Random };

/** Parsed model options plus the init settings. */
export interface ResolvedModelOptions {
  task: TaskName;
  numLabels?: number;
  pooler?: boolean;
  init: InitOptions;
}

/**
 * Validates model options and builds the weight initialisation (normal with the config's
 * `initializer_range`, seeded).
 *
 * @example
 * ```ts
 * const { task, init } = resolveModelOptions({ task: 'masked-lm', seed: 1 }, 0.02);
 * ```
 */
export function resolveModelOptions(options: ModelOptions, initializerRange: number): ResolvedModelOptions {
  const { random, ...rest } = options;
  const parsed = modelOptionsSchema.safeParse(rest);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`Invalid model option "${issue.path.join('.')}": ${issue.message}`, {
      expected: `one of the options ${Object.keys(modelOptionsSchema.shape).join(', ')} with valid values`,
      received: JSON.stringify(rest),
    });
  }
  return {
    task: parsed.data.task,
    numLabels: parsed.data.numLabels,
    pooler: parsed.data.pooler,
    init: {
      random: random ?? createRandom(parsed.data.seed),
      std: initializerRange,
      ...(parsed.data.initialize === false ? { zeros: true } : parsed.data.initialize === 'deferred' ? { deferred: true } : {}),
    },
  };
}

/**
 * The config with `num_labels` replaced (and label maps dropped when they no longer fit).
 *
 * @example
 * ```ts
 * const config = withLabelCount(bertConfig, 3);
 * ```
 */
export function withLabelCount<Config extends { num_labels: number; id2label?: Record<string, string>; label2id?: Record<string, number> }>(
  config: Config,
  numLabels: number | undefined,
): Config {
  if (numLabels === undefined || numLabels === config.num_labels) return config;
  const { id2label: _id2label, label2id: _label2id, ...rest } = config;
  return { ...rest, num_labels: numLabels } as Config;
}
