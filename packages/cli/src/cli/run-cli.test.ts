import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@pofa/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../commands/index';
import { UsageError } from '../errors/usage-error';
import type { Command } from './command';
import { EXIT_CODES, runCli } from './run-cli';
import { createTestIo } from './test-io';

const FIXTURES = join(__dirname, '..', '__fixtures__');

const failing = (error: unknown): Command => ({
  name: 'fail',
  summary: 'fails',
  usage: 'pofa fail',
  options: {},
  run: async () => {
    throw error;
  },
});

describe('pofa command line', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'pofa-cli-'));
  });

  it('prints the program help and each command help with exit 0', async () => {
    const io = createTestIo(cwd);
    expect(await runCli(['--help'], io, COMMANDS)).toBe(0);
    for (const command of COMMANDS) expect(io.out()).toContain(command.name);
    const commandIo = createTestIo(cwd);
    expect(await runCli(['compress', '--help'], commandIo, COMMANDS)).toBe(0);
    for (const option of ['--sparsity', '--pattern', '--resume', '--json', '--recipe', '--teacher', '--scale']) expect(commandIo.out()).toContain(option);
  });

  it('answers an unknown command with one message, a suggestion and exit 2', async () => {
    const io = createTestIo(cwd);
    expect(await runCli(['compres'], io, COMMANDS)).toBe(EXIT_CODES.usage);
    expect(io.err().trim().split('\n')).toHaveLength(1);
    expect(io.err()).toMatch(/Unknown command "compres".*Did you mean compress\?/);
  });

  it('answers an unknown option, a missing value and an extra argument with exit 2', async () => {
    const unknown = createTestIo(cwd);
    expect(await runCli(['compress', '--sparsty', '0.8'], unknown, COMMANDS)).toBe(2);
    expect(unknown.err()).toContain('Did you mean --sparsity?');
    const missing = createTestIo(cwd);
    expect(await runCli(['compress', '--sparsity'], missing, COMMANDS)).toBe(2);
    expect(missing.err()).toContain('--sparsity S');
    const extra = createTestIo(cwd);
    expect(await runCli(['compress', 'spam'], extra, COMMANDS)).toBe(2);
    expect(extra.err()).toContain('Unexpected argument "spam"');
    const leading = createTestIo(cwd);
    expect(await runCli(['--sparsity', '0.9'], leading, COMMANDS)).toBe(2);
  });

  it('rejects bad option values before doing any work', async () => {
    const sparsity = createTestIo(cwd);
    expect(await runCli(['compress', '--sparsity', '1.5'], sparsity, COMMANDS)).toBe(2);
    expect(sparsity.err()).toMatch(/Invalid value for --sparsity: must be a number from 0 to 0.999 \(got 1.5\)/);
    const pattern = createTestIo(cwd);
    expect(await runCli(['compress', '--pattern', '4x2'], pattern, COMMANDS)).toBe(2);
    expect(pattern.err()).toContain('one of unstructured, 4x1, 2:4');
  });

  it('prints a pofa error as one line with exit 1, and the stack only with POFA_DEBUG=1', async () => {
    const error = new ConfigError('Something is off', { expected: 'a', received: 'b', hint: 'Fix it' });
    const quiet = createTestIo(cwd);
    expect(await runCli(['fail'], quiet, [failing(error)])).toBe(EXIT_CODES.failure);
    expect(quiet.err()).toBe('pofa: Something is off: expected a, received b. Fix it\n');
    const debug = createTestIo(cwd, { POFA_DEBUG: '1' });
    expect(await runCli(['fail'], debug, [failing(error)])).toBe(1);
    expect(debug.err()).toContain('at ');
    const usage = createTestIo(cwd);
    expect(await runCli(['fail'], usage, [failing(new UsageError('Bad'))])).toBe(2);
  });

  it('names a missing task file, an unknown task and a missing recipe with exit 1', async () => {
    const missingFile = createTestIo(cwd);
    expect(await runCli(['compress', '--task', 'reviews.jsonl', '--out', join(cwd, 'a')], missingFile, COMMANDS)).toBe(1);
    expect(missingFile.err()).toMatch(/Cannot read the task file .*reviews\.jsonl: expected an existing \.tsv or \.jsonl file/);
    const unknownTask = createTestIo(cwd);
    expect(await runCli(['compress', '--task', 'spma', '--out', join(cwd, 'b'), '--scale', 'test'], unknownTask, COMMANDS)).toBe(1);
    expect(unknownTask.err()).toMatch(/Unknown task "spma".*Did you mean spam\?/);
    const missingRecipe = createTestIo(cwd);
    expect(await runCli(['compress', '--recipe', 'nope.yaml', '--out', join(cwd, 'c')], missingRecipe, COMMANDS)).toBe(1);
    expect(missingRecipe.err()).toContain('Cannot read recipe');
  });

  it('names a recipe typo (type and option) with the closest known name', async () => {
    const typo = createTestIo(cwd);
    expect(await runCli(['compress', '--recipe', join(FIXTURES, 'typo-recipe.yaml'), '--out', join(cwd, 'd')], typo, COMMANDS)).toBe(1);
    expect(typo.err()).toMatch(/Unknown modifier type at modifiers\[0\]\.type.*"prune\/gradual-magnitud".*Did you mean "prune\/gradual-magnitude"/);
    const option = createTestIo(cwd);
    expect(await runCli(['compress', '--recipe', join(FIXTURES, 'bad-option-recipe.yaml'), '--out', join(cwd, 'e')], option, COMMANDS)).toBe(1);
    expect(option.err()).toMatch(/^pofa: Invalid modifiers\[0\] \(prune\/gradual-magnitude\)/);
    expect(option.err()).toContain('modifiers[0].finalSparsty: unknown key');
  });

  it('names an unknown model preset or missing model directory', async () => {
    const io = createTestIo(cwd);
    expect(await runCli(['compress', '--model', 'bert-tinny', '--out', join(cwd, 'f')], io, COMMANDS)).toBe(1);
    expect(io.err()).toMatch(/Cannot use --model bert-tinny.*Did you mean bert-tiny\b/);
  });
});

describe('a failed start', () => {
  it('leaves no run behind, so the corrected command starts without --resume', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'pofa-cli-'));
    const io = createTestIo(cwd);
    expect(await runCli(['compress', '--task', 'spma', '--out', 'run', '--scale', 'test'], io, COMMANDS)).toBe(1);
    const { access } = await import('node:fs/promises');
    await expect(access(join(cwd, 'run', 'run.json'))).rejects.toThrow();
  });
});
