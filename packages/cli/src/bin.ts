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

const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), signal: controller.signal }, COMMANDS);
process.exitCode = code;
