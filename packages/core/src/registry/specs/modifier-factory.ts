import type { Modifier } from '../../lifecycle/modifier';
import type { Registry } from '../create-registry';
import type { OptionsSchema, PluginSpecification } from './plugin-specification';

/**
 * What a {@link ModifierFactory} gets besides its options when `createModifiersFromRecipe`
 * builds a recipe.
 */
export interface ModifierFactoryContext {
  /** The registry the recipe is built from: resolve the plugins your options name (a loss, a pruning method) here. */
  readonly registry: Registry;
}

/**
 * Makes a {@link Modifier} from options; a recipe entry names one by `type`. Its options
 * schema validates the whole recipe entry except `type`, lifecycle keys (`start`, `end`,
 * `every`) included: extend `modifierScheduleSchema` to accept them.
 *
 * @example
 * ```ts
 * const schema = modifierScheduleSchema.extend({ message: z.string() });
 * const logger: ModifierFactory<z.infer<typeof schema>> = {
 *   specificationVersion: 'v1',
 *   name: 'acme/logger',
 *   optionsSchema: schema,
 *   create: ({ message, ...schedule }) =>
 *     createModifier({ kind: 'acme/logger', ...schedule, onUpdate: (context) => context.log({ message }) }),
 * };
 * ```
 */
export interface ModifierFactory<Options = unknown> extends PluginSpecification {
  readonly optionsSchema: OptionsSchema<Options>;
  /** `context` is always given by `createModifiersFromRecipe`; code that calls a factory directly may leave it out. */
  create(options: Options, context?: ModifierFactoryContext): Modifier;
}
