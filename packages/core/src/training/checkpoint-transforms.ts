import { CheckpointError } from '../errors/checkpoint-error';
import type { Module } from '../nn/module';
import type { tf } from '../tensor/tf';

/**
 * The key of one transform tensor in `transforms.safetensors`: `<param>::<index>::<kind>::<key>`.
 *
 * @example
 * ```ts
 * transformTensorKey('first.weight', 0, 'core/mask', 'mask'); // "first.weight::0::core/mask::mask"
 * ```
 */
export function transformTensorKey(parameter: string, index: number, kind: string, key: string): string {
  return `${parameter}::${index}::${kind}::${key}`;
}

/**
 * The `state()` tensors of every weight transform of `model`, keyed by
 * {@link transformTensorKey}. They are the transforms' live tensors: do not dispose them.
 *
 * @example
 * ```ts
 * await writeSafetensors('transforms.safetensors', transformStateTensors(model));
 * ```
 */
export function transformStateTensors(model: Module): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const [name, parameter] of model.namedParameters()) {
    parameter.transforms.forEach((transform, index) => {
      for (const [key, tensor] of Object.entries(transform.state?.() ?? {})) out[transformTensorKey(name, index, transform.kind, key)] = tensor;
    });
  }
  return out;
}

/**
 * Gives each transform of `model` its saved tensors. The model must carry the same
 * transforms (kind and position) as when the checkpoint was written; any difference is a
 * {@link CheckpointError} naming `path` and listing what differs. The caller keeps
 * ownership of `tensors`.
 *
 * @example
 * ```ts
 * restoreTransforms('transforms.safetensors', model, await readSafetensors('transforms.safetensors'));
 * ```
 */
export function restoreTransforms(path: string, model: Module, tensors: Record<string, tf.Tensor>): void {
  const used = new Set<string>();
  const problems: string[] = [];
  const plans: Array<() => void> = [];
  for (const [name, parameter] of model.namedParameters()) {
    parameter.transforms.forEach((transform, index) => {
      const prefix = transformTensorKey(name, index, transform.kind, '');
      const state: Record<string, tf.Tensor> = {};
      for (const [key, tensor] of Object.entries(tensors)) {
        if (key.startsWith(prefix)) {
          state[key.slice(prefix.length)] = tensor;
          used.add(key);
        }
      }
      const expected = Object.keys(transform.state?.() ?? {});
      const missing = expected.filter((key) => !(key in state));
      if (missing.length > 0) problems.push(`no ${missing.map((key) => prefix + key).join(', ')}`);
      else if (expected.length > 0 && transform.loadState !== undefined) plans.push(() => transform.loadState?.(state));
    });
  }
  const unexpected = Object.keys(tensors).filter((key) => !used.has(key));
  if (unexpected.length > 0) problems.push(`state for transforms the model does not carry: ${unexpected.join(', ')}`);
  if (problems.length > 0) {
    throw new CheckpointError(`${path} does not match the model's weight transforms`, {
      expected: 'the same transforms (kind and position in each parameter\'s chain) as when it was saved',
      received: problems.join('; '),
      hint: 'A modifier that adds transforms during training must re-create them in its loadState',
    });
  }
  for (const plan of plans) plan();
}
