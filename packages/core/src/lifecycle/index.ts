export type { BatchContext, Modifier, ModifierContext, LossContext, ModifierState } from './modifier';
export { createModifier, type CreateModifierOptions, type ScheduledModifier, type ModifyLossWhen } from './create-modifier';
export { modifierScheduleSchema, resolveModifierSchedule, type ModifierSchedule } from './modifier-schedule';
export { recipeSchema, recipeEntrySchema, type Recipe, type RecipeEntry } from './recipe';
export { parseRecipe, validateRecipe, sniffRecipeFormat, type ParseRecipeOptions, type RecipeFormat } from './recipe-parse';
export { loadRecipe } from './recipe-load';
export { createModifiersFromRecipe } from './recipe-modifiers';
