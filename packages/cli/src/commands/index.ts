import type { Command } from '../cli/command';
import { compressCommand } from './compress';
import { inspectCommand } from './inspect';

/** The commands of `pofa`, in the order the help lists them. */
export const COMMANDS: readonly Command[] = [compressCommand, inspectCommand];
