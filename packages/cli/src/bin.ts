#!/usr/bin/env node
import { runCli } from './cli/run-cli';
import { COMMANDS } from './commands/index';
import { removeTemporaryOutputs } from './pipeline/output-target';

// Ctrl-C (or SIGTERM) asks the running stage to stop at its next step; the checkpoints stay
// intact for --resume. A second Ctrl-C exits at once. A command that does not watch the signal
// (export, inspect, eval, bench) exits at once. Either way no temporary output is left behind.
const controller = new AbortController();
const command = COMMANDS.find((candidate) => candidate.name === process.argv[2]);
let interrupts = 0;
const onSignal = (): void => {
  interrupts += 1;
  if (interrupts > 1 || command?.exitOnSignal === true) {
    removeTemporaryOutputs();
    process.stderr.write(`\npofa: interrupted${command === undefined ? '' : ` (pofa ${command.name})`}\n`);
    process.exit(130);
  }
  process.stderr.write('\npofa: stopping after the current step (Ctrl-C again to quit at once)\n');
  controller.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

// A reader that goes away early (`pofa inspect DIR | head`) ends the program quietly, as a closed
// pipe ends any Unix tool: with the command's own code if it had finished, else 141 (128 + SIGPIPE),
// so a cut-short run never reports success. No temporary output is left behind.
let finished: number | undefined;
const onClosedPipe = (error: NodeJS.ErrnoException): void => {
  if (error.code !== 'EPIPE') throw error;
  removeTemporaryOutputs();
  process.exit(finished ?? 141);
};
process.stdout.on('error', onClosedPipe);
process.stderr.on('error', onClosedPipe);

const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), signal: controller.signal }, COMMANDS);
finished = code;
process.exitCode = code;
