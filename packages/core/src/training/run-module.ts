import type { Modifier } from '../lifecycle/modifier';
import { Module } from '../nn/module';
import type { Parameter } from '../nn/parameter';

/**
 * What a run optimizes and checkpoints: the model's parameters under their own names, then
 * those of the modules modifiers train along with it (`modifiers.<index>.<name>.…`).
 */
class RunModule extends Module {
  constructor(
    private readonly model: Module,
    private readonly extras: Array<[string, Module]>,
  ) {
    super();
  }

  override namedParameters(prefix = ''): Array<[string, Parameter]> {
    const out = this.model.namedParameters(prefix);
    for (const [name, module] of this.extras) out.push(...module.namedParameters(`${prefix}${name}.`));
    return out;
  }

  override train(mode = true): this {
    this.model.train(mode);
    for (const [, module] of this.extras) module.train(mode);
    return this;
  }

  override dispose(): void {
    // The run does not own the model or the modifiers' modules.
  }
}

/**
 * The model itself when no modifier brings modules of its own (names unchanged), else a
 * module that lists the model's parameters followed by the modifiers' ones.
 *
 * @example
 * ```ts
 * const run = runModule(student, [distillation]);
 * run.namedParameters(); // student's, then "modifiers.0.projections.0.dense.weight", ...
 * ```
 */
export function runModule(model: Module, modifiers: readonly Modifier[]): Module {
  const extras: Array<[string, Module]> = [];
  modifiers.forEach((modifier, index) => {
    for (const [name, module] of Object.entries(modifier.modules?.() ?? {})) extras.push([`modifiers.${index}.${name}`, module]);
  });
  return extras.length === 0 ? model : new RunModule(model, extras);
}
