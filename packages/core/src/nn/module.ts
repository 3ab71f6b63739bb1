import { ConfigError } from '../errors/config-error';
import { StateDictError } from '../errors/state-dict-error';
import type { Random } from '../random';
import { tf } from '../tensor/tf';
import { Parameter } from './parameter';

/** What a forward pass needs besides its inputs. */
export interface ForwardContext {
  /** Dropout and other train-only behaviour; defaults to the module's mode. */
  training?: boolean;
  /** Seeds dropout, so runs are reproducible; unseeded dropout when absent. */
  random?: Random;
}

/** Options of {@link Module.loadStateDict}. */
export interface LoadStateDictOptions {
  /** Throw on missing or unexpected keys (default true); shape mismatches always throw. */
  strict?: boolean;
}

/** What {@link Module.loadStateDict} did not load. */
export interface LoadStateDictResult {
  missing: string[];
  unexpected: string[];
}

/**
 * A node of a PyTorch-like module tree. Children and parameters are registered by name,
 * and paths are dotted (`encoder.layer.3.attention.self.query.weight`).
 *
 * @example
 * ```ts
 * class Affine extends Module {
 *   readonly scale = this.addParameter('scale', new Parameter(tf.ones([4])));
 * }
 * const model = new Affine();
 * console.log(Object.keys(model.stateDict())); // ["scale"]
 * ```
 */
export abstract class Module {
  training = true;
  private readonly ownParameters = new Map<string, Parameter>();
  private readonly children = new Map<string, Module>();

  /** Registers a parameter under `name` and returns it. */
  protected addParameter(name: string, parameter: Parameter): Parameter {
    this.checkName(name);
    this.ownParameters.set(name, parameter);
    return parameter;
  }

  /** Registers a child module under `name` and returns it. */
  protected addModule<M extends Module>(name: string, module: M): M {
    this.checkName(name);
    this.children.set(name, module);
    module.training = this.training;
    return module;
  }

  private checkName(name: string): void {
    if (name === '' || name.includes('.') || this.ownParameters.has(name) || this.children.has(name)) {
      throw new ConfigError(`Cannot register ${JSON.stringify(name)} in ${this.constructor.name}`, {
        expected: 'a non-empty name without dots, unique among this module\'s parameters and children',
        received: JSON.stringify(name),
      });
    }
  }

  /** Every parameter of the tree with its dotted path, depth first in registration order. */
  namedParameters(prefix = ''): Array<[string, Parameter]> {
    const out: Array<[string, Parameter]> = [];
    for (const [name, parameter] of this.ownParameters) out.push([prefix + name, parameter]);
    for (const [name, child] of this.children) out.push(...child.namedParameters(`${prefix}${name}.`));
    return out;
  }

  parameters(): Parameter[] {
    return this.namedParameters().map(([, parameter]) => parameter);
  }

  /** This module (path `''`) and every descendant with its dotted path. */
  namedModules(prefix = ''): Array<[string, Module]> {
    const out: Array<[string, Module]> = [[prefix.replace(/\.$/, ''), this]];
    for (const [name, child] of this.children) out.push(...child.namedModules(`${prefix}${name}.`));
    return out;
  }

  /** The parameter at a dotted path, or undefined. */
  getParameter(path: string): Parameter | undefined {
    return this.namedParameters().find(([name]) => name === path)?.[1];
  }

  /** The module at a dotted path (`''` is this one), or undefined. */
  getModule(path: string): Module | undefined {
    return this.namedModules().find(([name]) => name === path)?.[1];
  }

  /**
   * The raw variables by dotted path. They are the live variables, shared with the module:
   * do not dispose them. Call `squash()` on parameters first to bake masks in.
   */
  stateDict(): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = {};
    for (const [name, parameter] of this.namedParameters()) out[name] = parameter.variable;
    return out;
  }

  /**
   * Copies tensors into the parameters of the same path. Every problem (missing keys,
   * unexpected keys, wrong shapes) is listed in one {@link StateDictError} and nothing is
   * loaded when it throws. The caller keeps ownership of `state`.
   */
  loadStateDict(state: Record<string, tf.Tensor>, options: LoadStateDictOptions = {}): LoadStateDictResult {
    const strict = options.strict ?? true;
    const parameters = new Map(this.namedParameters());
    const missing = [...parameters.keys()].filter((name) => !(name in state));
    const unexpected = Object.keys(state).filter((name) => !parameters.has(name));
    const misshaped: string[] = [];
    for (const [name, tensor] of Object.entries(state)) {
      const parameter = parameters.get(name);
      if (parameter !== undefined && !tf.util.arraysEqual(parameter.shape, tensor.shape)) {
        misshaped.push(`${name} (expected [${parameter.shape.join(', ')}], received [${tensor.shape.join(', ')}])`);
      }
    }
    const problems: string[] = [];
    if (strict && missing.length > 0) problems.push(`missing keys: ${missing.join(', ')}`);
    if (strict && unexpected.length > 0) problems.push(`unexpected keys: ${unexpected.join(', ')}`);
    if (misshaped.length > 0) problems.push(`wrong shapes: ${misshaped.join('; ')}`);
    if (problems.length > 0) {
      throw new StateDictError(`Cannot load state dict into ${this.constructor.name}: ${problems.join(' | ')}`, {
        hint: 'Check that the checkpoint was saved from the same architecture and config; pass { strict: false } to skip missing or unexpected keys',
      });
    }
    for (const [name, tensor] of Object.entries(state)) parameters.get(name)?.assign(tensor);
    return { missing, unexpected };
  }

  /** Sets training mode on the whole tree (dropout on). */
  train(mode = true): this {
    for (const [, module] of this.namedModules()) module.training = mode;
    return this;
  }

  /** Sets inference mode on the whole tree (dropout off). */
  eval(): this {
    return this.train(false);
  }

  /** Number of scalar parameters in the tree. */
  parameterCount(): number {
    return this.parameters().reduce((sum, parameter) => sum + parameter.size, 0);
  }

  /** Disposes every parameter (and its transforms) of the tree, children through their own `dispose`. */
  dispose(): void {
    for (const parameter of this.ownParameters.values()) parameter.dispose();
    for (const child of this.children.values()) child.dispose();
  }
}

/** A module holding an ordered list of children named `0`, `1`, ... */
export class ModuleList<M extends Module = Module> extends Module {
  readonly items: M[] = [];

  constructor(items: M[] = []) {
    super();
    for (const item of items) this.push(item);
  }

  push(item: M): void {
    this.addModule(String(this.items.length), item);
    this.items.push(item);
  }

  get length(): number {
    return this.items.length;
  }
}
