import type { Command } from '../cli/command';
import { compressCommand } from './compress';
import { evalCommand } from './eval';
import { exportCommand } from './export';
import { inspectCommand } from './inspect';
import { benchCommand } from './bench';
import { reproduceCommand } from './reproduce';
import { serveCommand } from './serve';
import { transferCommand } from './transfer';
import { workerCommand } from './worker';
import { finetuneCommand, pretrainCommand, pruneCommand, quantizeCommand } from './stages';

/** The commands of `pofa`, in the order the help lists them. */
export const COMMANDS: readonly Command[] = [compressCommand, transferCommand, pretrainCommand, pruneCommand, finetuneCommand, quantizeCommand, evalCommand, exportCommand, serveCommand, inspectCommand, benchCommand, reproduceCommand, workerCommand];
