#!/usr/bin/env node
// node ofa/cli.mjs --scale tiny|mini|smoke [--out DIR]
import { fileURLToPath } from 'node:url';
import { readCommandLine } from '../shared/command-line.mjs';
import { run } from './run.mjs';

const defaultOut = fileURLToPath(new URL('../results', import.meta.url));
try {
  const options = readCommandLine(process.argv.slice(2), { scale: 'string', out: 'string', work: 'string' });
  const { rows, files } = await run({ scale: 'tiny', out: defaultOut, ...options, log: (line) => process.stderr.write(`${line}\n`) });
  process.stdout.write(`${rows.length} rows\n${files.join('\n')}\n`);
} catch (error) {
  process.stderr.write(`ofa: ${error.message}\n`);
  process.exitCode = 1;
}
