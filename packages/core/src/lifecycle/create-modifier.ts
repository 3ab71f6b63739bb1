import { CheckpointError } from '../errors/checkpoint-error';
import { ConfigError } from '../errors/config-error';
import { describeValue } from '../errors/pofa-error';
import { TrainingError } from '../errors/training-error';
import { isRegistryKey } from '../registry/registry-key';
import type { tf } from '../tensor/tf';
import type { BatchContext, LossContext, Modifier, ModifierContext, ModifierState } from './modifier';
import { resolveModifierSchedule } from './modifier-schedule';
import { runInOrder, type HookStep } from './run-in-order';

type Hook = (context: ModifierContext) => void | Promise<void>;

/** When a modifier's `modifyLoss` applies: while active (default), from start on, or always. */
export type ModifyLossWhen = 'active' | 'started' | 'always';

/** What a plugin fills in; {@link createModifier} does the gating and the guards. */
export interface CreateModifierOptions {
  /** The modifier's namespaced name (`scope/name`). */
  kind: string;
  /** First active step (default 0). */
  start?: number;
  /** First step no longer active; active until the run ends when absent. */
  end?: number;
  /** `onUpdate` runs at steps where `(step - start) % every === 0` (default 1). */
  every?: number;
  /** Once, when the Trainer initializes the modifier. */
  onInitialize?: Hook;
  /** Once, at the first update with `step >= start`. */
  onStart?: Hook;
  /** At active steps on the `every` grid. */
  onUpdate?: Hook;
  /** Once, at the first update with `step >= end`, or at finalize if started but never ended. */
  onEnd?: Hook;
  /** Once, when the Trainer finalizes the modifier (after `onEnd`). */
  onFinalize?: Hook;
  /** Computes what `modifyLoss` needs from the batch, outside the gradient tape (same schedule as `modifyLoss`). */
  prepareLoss?: (context: BatchContext) => unknown;
  /** Adds to the loss inside the gradient tape; see `modifyLossWhen`. */
  modifyLoss?: (loss: tf.Scalar, context: LossContext) => tf.Scalar;
  /** When `modifyLoss` applies (default `active`: start <= step < end). */
  modifyLossWhen?: ModifyLossWhen;
  /** A factor on the scheduled learning rate (learning-rate rewind). */
  learningRateFactor?: (context: ModifierContext) => number;
  /** The plugin's own state for checkpoints. */
  state?: () => ModifierState;
  loadState?: (state: ModifierState) => void;
}

/** A {@link Modifier} made by {@link createModifier}, with its schedule visible. */
export interface ScheduledModifier extends Modifier {
  readonly start: number;
  readonly end?: number;
  readonly every: number;
  /** Whether `onStart` has run (restored by `loadState`). */
  readonly started: boolean;
  /** Whether `onEnd` has run (restored by `loadState`). */
  readonly ended: boolean;
  /** True when `start <= step < end`. */
  isActive(step: number): boolean;
  state(): ModifierState;
  loadState(state: ModifierState): void;
}

interface TemplateState {
  started: boolean;
  ended: boolean;
  plugin?: unknown;
}

function readTemplateState(kind: string, json: unknown): TemplateState {
  const record = json as Partial<TemplateState> | null;
  if (typeof record !== 'object' || record === null || typeof record.started !== 'boolean' || typeof record.ended !== 'boolean') {
    throw new CheckpointError(`Cannot restore the state of modifier ${kind}`, {
      expected: 'json of the form { started: boolean, ended: boolean, plugin?: ... } as written by state()',
      received: describeValue(json),
      hint: 'Resume from a checkpoint written by the same recipe',
    });
  }
  return { started: record.started, ended: record.ended, plugin: record.plugin };
}

/**
 * Builds a {@link Modifier} from lifecycle hooks (SparseML's template). `update` calls
 * `onStart` once at the first step >= `start`, `onUpdate` while `start <= step < end` on
 * the `every` grid, and `onEnd` once at the first step >= `end` (or in `finalize` when the
 * run stops first). Misuse (update before initialize or after finalize, initialize or
 * finalize twice) throws a `TrainingError`. `state()` carries the started/ended flags with the
 * plugin's own state, so a resumed run does not fire `onStart` again.
 *
 * @example
 * ```ts
 * const modifier = createModifier({
 *   kind: 'acme/print',
 *   start: 10,
 *   end: 100,
 *   every: 10,
 *   onUpdate: (context) => context.log({ step: context.step }),
 * });
 * ```
 */
export function createModifier(options: CreateModifierOptions): ScheduledModifier {
  const { kind } = options;
  if (!isRegistryKey(kind)) {
    throw new ConfigError('Invalid modifier kind', { expected: 'a "scope/name" key such as "prune/gradual-magnitude"', received: describeValue(kind) });
  }
  const { start, end, every } = resolveModifierSchedule(options, kind);
  const lossWhen = options.modifyLossWhen ?? 'active';
  if (!['active', 'started', 'always'].includes(lossWhen)) {
    throw new ConfigError(`Invalid modifyLossWhen of ${kind}`, { expected: 'active, started or always', received: describeValue(lossWhen) });
  }
  let phase: 'created' | 'initialized' | 'finalized' = 'created';
  let started = false;
  let ended = false;

  const isActive = (step: number): boolean => step >= start && (end === undefined || step < end);
  const requireRunning = (method: string): void => {
    if (phase === 'initialized') return;
    throw new TrainingError(`Modifier ${kind}: ${method}() called ${phase === 'created' ? 'before initialize()' : 'after finalize()'}`, {
      hint: 'The Trainer calls initialize() once, then update()/modifyLoss() each step, then finalize() once',
    });
  };
  const call = (hook: Hook | undefined, context: ModifierContext) => () => hook?.(context);

  const modifier: ScheduledModifier = {
    specificationVersion: 'v1',
    kind,
    start,
    end,
    every,
    get started() {
      return started;
    },
    get ended() {
      return ended;
    },
    isActive,
    initialize(context) {
      if (phase !== 'created') {
        throw new TrainingError(`Modifier ${kind}: initialize() called twice`, { hint: 'Create a new modifier for each training run' });
      }
      phase = 'initialized';
      return runInOrder([call(options.onInitialize, context)]);
    },
    update(context) {
      requireRunning('update');
      const { step } = context;
      if (!Number.isInteger(step) || step < 0) {
        throw new TrainingError(`Modifier ${kind}: invalid step`, { expected: 'a non-negative integer', received: describeValue(step) });
      }
      const steps: HookStep[] = [];
      if (!started && step >= start) steps.push(call(options.onStart, context), () => void (started = true));
      if (isActive(step) && (step - start) % every === 0) steps.push(call(options.onUpdate, context));
      if (end !== undefined && step >= end && !ended) steps.push(call(options.onEnd, context), () => void (ended = true));
      return runInOrder(steps);
    },
    finalize(context) {
      if (phase !== 'initialized') {
        throw new TrainingError(`Modifier ${kind}: finalize() called ${phase === 'created' ? 'before initialize()' : 'twice'}`, {
          hint: 'The Trainer calls initialize() once, then update()/modifyLoss() each step, then finalize() once',
        });
      }
      phase = 'finalized';
      const steps: HookStep[] = [];
      if (started && !ended) steps.push(call(options.onEnd, context), () => void (ended = true));
      steps.push(call(options.onFinalize, context));
      return runInOrder(steps);
    },
    state() {
      const plugin = options.state?.();
      const json: TemplateState = { started, ended, ...(plugin?.json === undefined ? {} : { plugin: plugin.json }) };
      return plugin?.tensors === undefined ? { json } : { json, tensors: plugin.tensors };
    },
    loadState(state) {
      const restored = readTemplateState(kind, state.json);
      started = restored.started;
      ended = restored.ended;
      if (options.loadState !== undefined && (restored.plugin !== undefined || state.tensors !== undefined)) {
        options.loadState({ json: restored.plugin, tensors: state.tensors });
      }
    },
  };

  const lossApplies = (step: number) => lossWhen === 'always' || (lossWhen === 'started' ? step >= start : isActive(step));
  if (options.prepareLoss !== undefined) {
    const prepareLoss = options.prepareLoss;
    modifier.prepareLoss = (context) => {
      requireRunning('prepareLoss');
      return lossApplies(context.step) ? prepareLoss(context) : undefined;
    };
  }
  if (options.modifyLoss !== undefined) {
    const modifyLoss = options.modifyLoss;
    modifier.modifyLoss = (loss, context) => {
      requireRunning('modifyLoss');
      return lossApplies(context.step) ? modifyLoss(loss, context) : loss;
    };
  }
  if (options.learningRateFactor !== undefined) {
    const factor = options.learningRateFactor;
    modifier.learningRateFactor = (context) => {
      requireRunning('learningRateFactor');
      return factor(context);
    };
  }
  return modifier;
}
