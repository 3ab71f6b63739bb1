export { sampleSplit, mismatchedTask, type RunTask, type SpanRunTask, type RunTaskOptions, type LabelTyping } from './run-task';
export { loadRunTask, TASK_CHOICES } from './load-run-task';
export { loadSquadRunTask, loadAnyRunTask, SQUAD_FILES } from './squad-run-task';
export { resolveGlueFolder, emptyTaskFile, type GlueFolder } from './glue-folder';
export { checkUserClasses, checkSplitLabels, describeRunTask } from './user-task-checks';
