// A table of bad inputs across every command: each case runs the CLI and checks the exit code, a
// fragment of the message, that it is not an "unexpected error" and has no stack trace, and that
// every file in the fixtures folder (inputs and pre-existing outputs) is byte-identical afterwards,
// with nothing added (no output, no temporary file). Most cases fail before any work.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '@pofa/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../commands/index';
import { fingerprint, injectWriteFault, writeBadInputFixtures, writeCheckpoint, type BadInputFixtures } from './__fixtures__/bad-input-fixtures';
import { EXIT_CODES, runCli } from './run-cli';
import { createTestIo } from './test-io';

const { usage, failure: input, io: output } = EXIT_CODES;

interface Case {
  argv: string[];
  code: number;
  message: string | RegExp;
  /** Only where the suite may make device nodes. */
  needsDevices?: boolean;
}

const c = (argv: string[], code: number, message: string | RegExp, extra: Partial<Case> = {}): Case => ({ argv, code, message, ...extra });

// Numeric flags: each bad value gets "must be ..." with the value it got.
const NUMERIC: Array<{ prefix: string[]; flag: string; values: Array<[string, RegExp]> }> = [
  { prefix: ['compress', '--scale', 'test'], flag: 'sparsity', values: [['-5', /must be a number from 0 to 0.999 \(got -5\)/], ['1', /\(got 1\)/], ['abc', /\(got abc\)/], ['', /\(got an empty value\)/], ['NaN', /\(got NaN\)/]] },
  { prefix: ['compress', '--scale', 'test'], flag: 'seed', values: [['1.5', /must be an integer \(got 1.5\)/], ['x', /\(got x\)/], ['1e400', /\(got 1e400\)/]] },
  { prefix: ['pretrain', '--scale', 'test'], flag: 'sparsity', values: [['-0.1', /\(got -0.1\)/], ['2', /\(got 2\)/]] },
  { prefix: ['eval', 'hf'], flag: 'batch-size', values: [['-5', /must be a positive integer \(got -5\)/], ['0', /positive integer \(got 0\)/], ['2.5', /\(got 2.5\)/], ['many', /\(got many\)/]] },
  { prefix: ['eval', 'hf'], flag: 'seed', values: [['-1.5', /must be an integer \(got -1.5\)/], ['seed', /\(got seed\)/]] },
  { prefix: ['bench', 'hf'], flag: 'batch', values: [['-5', /must be an integer from 1 to 4096 \(got -5\)/], ['0', /\(got 0\)/], ['5000', /\(got 5000\)/]] },
  { prefix: ['bench', 'hf'], flag: 'seq', values: [['-1', /\(got -1\)/], ['1.5', /\(got 1.5\)/]] },
  { prefix: ['bench', 'hf'], flag: 'threads', values: [['0', /\(got 0\)/], ['-2', /\(got -2\)/]] },
  { prefix: ['bench', 'hf'], flag: 'iterations', values: [['-5', /\(got -5\)/], ['Infinity', /\(got Infinity\)/]] },
  { prefix: ['transfer', 'hf', '--task', 'spam'], flag: 'steps', values: [['-5', /must be a positive integer \(got -5\)/], ['0', /\(got 0\)/], ['1.5', /\(got 1.5\)/]] },
  { prefix: ['transfer', 'hf', '--task', 'spam'], flag: 'epochs', values: [['-1', /\(got -1\)/], ['0', /\(got 0\)/]] },
  { prefix: ['transfer', 'hf', '--task', 'spam'], flag: 'qat-epochs', values: [['-1', /\(got -1\)/]] },
  { prefix: ['transfer', 'hf', '--task', 'spam'], flag: 'batch', values: [['-5', /\(got -5\)/], ['0', /\(got 0\)/], ['99999', /\(got 99999\)/]] },
  { prefix: ['transfer', 'hf', '--task', 'spam'], flag: 'micro-batch', values: [['-5', /\(got -5\)/]] },
  { prefix: ['transfer', 'hf', '--task', 'spam'], flag: 'lr', values: [['-0.001', /\(got -0.001\)/], ['2', /\(got 2\)/], ['0', /\(got 0\)/]] },
  { prefix: ['transfer', 'hf', '--task', 'spam'], flag: 'qat-lr', values: [['-1', /\(got -1\)/]] },
  { prefix: ['transfer', 'hf', '--task', 'spam'], flag: 'seq', values: [['4', /\(got 4\)/], ['-128', /\(got -128\)/]] },
  { prefix: ['transfer', 'hf', '--task', 'spam'], flag: 'max-eval', values: [['0', /\(got 0\)/], ['-3', /\(got -3\)/]] },
  { prefix: ['transfer', 'hf', '--task', 'spam'], flag: 'seed', values: [['0.5', /\(got 0.5\)/]] },
  { prefix: ['reproduce'], flag: 'seed', values: [['-0.5', /\(got -0.5\)/], ['many', /\(got many\)/]] },
  { prefix: ['serve', 'model.pofa'], flag: 'port', values: [['-1', /\(got -1\)/], ['70000', /\(got 70000\)/], ['http', /\(got http\)/]] },
  { prefix: ['serve', 'model.pofa'], flag: 'max-batch', values: [['0', /\(got 0\)/]] },
  { prefix: ['serve', 'model.pofa'], flag: 'max-wait-ms', values: [['-5', /\(got -5\)/]] },
];

const numericCases = NUMERIC.flatMap(({ prefix, flag, values }) => values.map(([value, message]) => c([...prefix, `--${flag}`, value], usage, new RegExp(`Invalid value for --${flag}: must be .*${message.source.replace(/^must be /, '')}`))));

const commandLineCases: Case[] = [
  c(['compres'], usage, 'Unknown command "compres"'),
  c(['--sparsity', '0.9'], usage, 'Unknown option --sparsity'),
  c(['compress', '--sparsty', '0.9'], usage, 'Did you mean --sparsity'),
  c(['compress', '--pattern', '4x2'], usage, 'one of unstructured, 4x1, 2:4'),
  c(['compress', '--scale', 'huge'], usage, 'Invalid value for --scale'),
  c(['compress', '--int8', '--no-int8'], usage, 'contradict'),
  c(['compress', '--int8=yes'], usage, 'takes no value'),
  c(['compress', '--out'], usage, 'needs a value'),
  c(['compress', 'extra'], usage, 'Unexpected argument "extra"'),
  c(['transfer'], usage, 'needs MODEL'),
  c(['transfer', 'hf'], usage, 'needs --task'),
  c(['transfer', 'hf', '--task', 'spam', '--layout', 'zigzag'], usage, 'Invalid value for --layout'),
  c(['transfer', 'hf', '--task', 'spam', '--int8', '--no-int8'], usage, 'contradict'),
  c(['export'], usage, 'needs SOURCE'),
  c(['export', 'hf'], usage, 'needs --format'),
  c(['export', 'hf', '--format', 'tflite'], usage, 'one of hf, pofa, onnx'),
  c(['export', 'hf', '--format', 'hf', '--int8'], usage, '--int8 applies to --format pofa and onnx only'),
  c(['export', 'hf', '--format', 'onnx', '--layout', 'csr'], usage, '--layout applies to --format pofa only'),
  c(['export', 'hf', '--format', 'pofa', '--layout', 'zigzag'], usage, 'Invalid value for --layout'),
  c(['export', 'run', '--format', 'pofa', '--stage', 'final'], usage, 'one of dense, sparse, sparse-int8'),
  c(['export', 'hf', '--format', 'pofa', '--stage', 'sparse', '--out', 'x.pofa'], usage, '--stage applies to a run folder only'),
  c(['eval'], usage, 'needs SOURCE'),
  c(['eval', 'hf', '--split', 'train'], usage, 'one of test, validation'),
  c(['eval', 'hf', '--scale', 'huge'], usage, 'Invalid value for --scale'),
  c(['inspect'], usage, 'needs PATH'),
  c(['inspect', 'a', 'b'], usage, 'Unexpected argument "b"'),
  c(['bench'], usage, 'needs TARGET'),
  c(['reproduce', '--only', 'glue'], usage, 'Invalid value for --only'),
  c(['reproduce', '--scale', 'huge'], usage, 'Invalid value for --scale'),
  c(['serve'], usage, 'needs a bundle'),
  c(['serve', '--model', '=model.pofa'], usage, 'Invalid model name'),
  c(['prune', '--sparsity', '0.5'], usage, 'Unknown option --sparsity'),
  c(['quantize', '--resume'], usage, 'Unknown option --resume'),
  c(['finetune', '--json', 'x.json'], usage, 'Unknown option --json'),
];

// Each damaged copy of model.pofa, and the part of the file its message names.
const CORRUPTED_BUNDLES: Record<string, string> = {
  'magic-only': 'too short',
  'bad-version': 'Unsupported .pofa version',
  'bad-header-length': 'header length',
  'bad-header': 'checksum',
  'bad-data': 'checksum',
  'bad-checksum': 'checksum',
  truncated: 'Truncated or padded',
  trailing: 'Truncated or padded',
};

// Paths that are not what a command reads.
const inputCases: Case[] = [
  ...['export', 'eval', 'bench'].flatMap((command) => {
    const format = command === 'export' ? ['--format', 'pofa', '--out', 'new.pofa'] : [];
    return [
      c([command, 'missing', ...format], input, 'Cannot read missing'),
      c([command, 'notes.txt', ...format], input, 'notes.txt is not a .pofa bundle'),
      c([command, 'empty-folder', ...format], input, 'Cannot tell what empty-folder holds'),
      c([command, 'user-folder', ...format], input, 'Cannot tell what user-folder holds'),
      c([command, 'fifo', ...format], input, 'fifo is not a regular file or folder'),
      c([command, 'socket', ...format], input, 'socket is not a regular file or folder'),
      c([command, 'unfinished', ...format], input, 'unfinished holds an unfinished run'),
      c([command, 'bad-models', ...format], input, 'bad-models has no readable models.json'),
      c([command, 'empty.pofa', ...format], input, 'empty.pofa is not a .pofa bundle'),
    ];
  }),
  c(['export', 'model.pofa', '--format', 'hf', '--out', 'new-hf'], input, 'is already a .pofa bundle'),
  c(['inspect', 'missing'], input, 'Cannot read missing'),
  c(['inspect', 'fifo'], input, 'fifo is not a regular file or folder'),
  c(['inspect', 'socket'], input, 'socket is not a regular file or folder'),
  c(['inspect', 'notes.txt'], input, /notes\.txt/),
  c(['inspect', 'empty-folder'], input, 'empty-folder is a folder without config.json'),
  c(['inspect', 'user-folder'], input, 'user-folder is a folder without config.json'),
  c(['inspect', 'unfinished'], input, 'unfinished is a folder without config.json'),
  c(['inspect', 'no-weights'], input, /no-weights/),
  c(['inspect', 'bad-config'], input, /config\.json/),
  ...['empty', 'truncated', 'bad-header', 'huge-header'].map((name) => c(['inspect', `${name}.safetensors`], input, new RegExp(`${name}\\.safetensors`))),
  ...Object.entries(CORRUPTED_BUNDLES).flatMap(([name, section]) => [
    c(['inspect', `${name}.pofa`], input, new RegExp(`\\.pofa bundle .*${name}\\.pofa: .*${section}`)),
    c(['eval', `${name}.pofa`], input, new RegExp(`\\.pofa bundle .*${name}\\.pofa: .*${section}`)),
    c(['serve', `${name}.pofa`, '--port', '0'], input, new RegExp(`\\.pofa bundle .*${name}\\.pofa: .*${section}`)),
  ]),
  c(['eval', 'mlm', '--task', 'sotu-party', '--scale', 'test'], input, 'mlm has no head for sotu-party: expected a classification head with 2 classes (Democratic, Republican), received a masked-lm model. Fine-tune it on the task first: pofa transfer'),
  c(['eval', 'hf', '--task', 'sotu-year', '--scale', 'test'], input, 'does not fit sotu-year: expected a regression head (1 output), received 2 outputs'),
  c(['prune', '--out', 'missing'], input, 'No run to continue in missing'),
  c(['finetune', '--out', 'user-folder'], input, 'No run to continue in user-folder'),
  c(['quantize', '--out', 'bad-settings'], input, 'has settings this pofa cannot read'),
  c(['compress', '--scale', 'test', '--resume', '--out', 'empty-folder'], input, 'Nothing to resume'),
  c(['compress', '--scale', 'test', '--out', 'unfinished'], input, 'holds an interrupted run'),
  c(['transfer', 'missing', '--task', 'spam', '--out', 'new-run'], input, /missing/),
];

// Where a command must not write: checked before any work, nothing touched.
const OUTPUT_PLACES: Array<{ path: string; file: RegExp; folder: RegExp; needsDevices?: boolean }> = [
  { path: 'fifo', file: /is a FIFO \(named pipe\)/, folder: /is a FIFO/ },
  { path: 'socket', file: /is a socket/, folder: /is a socket/ },
  { path: 'device', file: /is a character device/, folder: /is a character device/, needsDevices: true },
  { path: '/proc/self/pofa-out', file: /is on \/proc/, folder: /is on \/proc/ },
  { path: '/sys/pofa-out', file: /is on \/sys/, folder: /is on \/sys/ },
  { path: '/dev/pofa-out', file: /is on \/dev/, folder: /is on \/dev/ },
  { path: 'notes.txt/out', file: /notes\.txt is a file, not a folder/, folder: /notes\.txt is a file, not a folder/ },
  { path: 'missing/deeper/out', file: /the folder .*missing\/deeper does not exist/, folder: /the folder .*missing\/deeper does not exist/ },
];

const exportOutputCases: Case[] = [
  ...(['pofa', 'onnx'] as const).flatMap((format) => [
    ...OUTPUT_PLACES.map((place) => c(['export', 'hf', '--format', format, '--out', place.path], output, place.file, { needsDevices: place.needsDevices })),
    c(['export', 'hf', '--format', format, '--out', `existing.${format}`], output, `existing.${format} already exists. Pass --force`),
    c(['export', 'hf', '--format', format, '--out', 'user-folder'], output, 'is a folder, and a file goes there'),
    c(['export', 'hf', '--format', format, '--out', 'hf'], output, 'is a folder, and a file goes there'),
    c(['export', 'hf', '--format', format, '--out', 'fifo', '--force'], output, 'is a FIFO'),
  ]),
  ...OUTPUT_PLACES.map((place) => c(['export', 'hf', '--format', 'hf', '--out', place.path], output, place.folder, { needsDevices: place.needsDevices })),
  c(['export', 'hf', '--format', 'hf', '--out', 'user-folder'], output, 'is a folder that is not empty'),
  c(['export', 'hf', '--format', 'hf', '--out', 'hf-copy'], output, 'is a folder that is not empty'),
  c(['export', 'hf', '--format', 'hf', '--out', '.'], output, 'is a folder that is not empty'),
  c(['export', 'hf', '--format', 'hf', '--out', 'notes.txt'], output, 'is a file, and a folder goes there'),
  c(['export', 'hf', '--format', 'hf', '--out', 'notes.txt', '--force'], output, 'is a file, and a folder goes there'),
];

const runOutputCases: Case[] = [
  ...['compress', 'pretrain'].flatMap((command) => [
    ...OUTPUT_PLACES.map((place) => c([command, '--scale', 'test', '--out', place.path], output, place.folder, { needsDevices: place.needsDevices })),
    c([command, '--scale', 'test', '--out', 'user-folder'], output, 'is a folder that is not empty, and pofa did not make it'),
    c([command, '--scale', 'test', '--out', 'hf'], output, 'is a folder that is not empty'),
    c([command, '--scale', 'test', '--out', 'notes.txt'], output, 'is a file, and a folder goes there'),
  ]),
  ...['fifo', '/proc/self/rows.json', 'rows.json', 'user-folder', 'missing/rows.json'].flatMap((json) => [
    c(['compress', '--scale', 'test', '--out', 'new-run', '--json', json], output, /FIFO|\/proc|already exists|is a folder|does not exist/),
    c(['transfer', 'hf', '--task', 'spam', '--out', 'new-run', '--json', json], output, /FIFO|\/proc|already exists|is a folder|does not exist/),
    c(['bench', 'hf', '--json', json], output, /FIFO|\/proc|already exists|is a folder|does not exist/),
  ]),
  ...['fifo', 'user-folder', '/sys/x', 'notes.txt/x'].map((out) => c(['transfer', 'hf', '--task', 'spam', '--out', out], output, /FIFO|is not empty|\/sys|is a file, not a folder/)),
  ...['fifo', 'notes.txt', 'user-folder', '/proc/self/x'].map((out) => c(['reproduce', '--scale', 'smoke', '--out', out], output, /FIFO|is a file|is not empty|\/proc/)),
  c(['quantize', '--out', 'run', '--json', 'rows.json'], output, 'rows.json already exists'),
  c(['eval', 'hf', '--predictions', 'rows.json'], output, 'rows.json already exists'),
];

// User data (--task FILE): every problem named with the file (and line) before any training.
const USER_DATA_PROBLEMS: Array<[string[], number, string | RegExp]> = [
  [['one-class.tsv'], input, 'one-class.tsv: every example has the label "spam": expected at least two classes'],
  [['one-integer.tsv'], input, 'one-integer.tsv: every example has the label "1"'],
  [['rare-class.tsv'], input, 'rare-class.tsv: too few examples of "maybe" (1)'],
  [['empty-text.tsv'], input, 'empty-text.tsv:3: empty text'],
  [['empty-pair.jsonl'], input, 'empty-pair.jsonl:1: empty sentence2'],
  [['ragged.tsv'], input, 'ragged.tsv:3: wrong number of columns'],
  [['no-text.tsv'], input, 'no-text.tsv:1: the header has no "text" column'],
  [['bad-json.jsonl'], input, 'bad-json.jsonl:2: not valid JSON'],
  [['unlabelled.tsv'], input, 'unlabelled.tsv has unlabelled examples'],
  [['not-utf8.tsv'], input, 'not-utf8.tsv:3: not valid UTF-8'],
  [['empty.tsv'], input, 'empty.tsv is empty'],
  [['names.tsv', '--regression'], input, 'names.tsv:2: the label is not a number'],
  [['names.tsv', '--classes', '--regression'], usage, '--classes and --regression contradict each other'],
  [['data.csv'], input, 'Unknown task'],
];

const userDataCases: Case[] = USER_DATA_PROBLEMS.flatMap(([[file, ...flags], code, message]) => [
  c(['compress', '--scale', 'test', '--task', file, ...flags, '--out', 'new-run', '--cache', 'new-cache'], code, message),
  c(['transfer', 'hf', '--task', file, ...flags, '--out', 'new-run'], code, message),
  c(['eval', 'hf', '--task', file, ...flags, '--scale', 'test'], code, message),
]);

const CASES: Case[] = [...userDataCases, ...numericCases, ...commandLineCases, ...inputCases, ...exportOutputCases, ...runOutputCases];

describe('bad inputs: a clear error, the right exit code, nothing lost', () => {
  let fixtures: BadInputFixtures;
  let dir: string;
  let before: Map<string, string>;
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    dir = await mkdtemp(join(tmpdir(), 'pofa-bad-input-'));
    fixtures = await writeBadInputFixtures(dir, async () => {
      expect(await runCli(['export', 'hf', '--format', 'pofa', '--out', 'model.pofa'], createTestIo(dir), COMMANDS)).toBe(0);
    });
    before = await fingerprint(dir);
  }, 60_000);
  afterAll(async () => fixtures?.close());

  it(`has at least 150 cases (${CASES.length})`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(150);
  });

  it.each(CASES.map((item) => [item.argv.join(' '), item] as const))('pofa %s', async (_, item) => {
    if (item.needsDevices === true && !fixtures.devices) return;
    const io = createTestIo(dir);
    const code = await runCli(item.argv, io, COMMANDS);
    const err = io.err();
    expect(err).not.toContain('unexpected error');
    expect(err).not.toMatch(/\n\s+at /);
    if (typeof item.message === 'string') expect(err).toContain(item.message);
    else expect(err).toMatch(item.message);
    expect(code).toBe(item.code);
    expect(await fingerprint(dir)).toEqual(before);
  });

  it('takes a file of a checkpoint for its folder, and a run folder for its last model, where that makes sense', async () => {
    for (const argv of [['inspect', 'run'], ['inspect', join('hf', 'config.json')], ['inspect', join('hf', 'vocab.txt')]]) {
      const io = createTestIo(dir);
      expect(await runCli(argv, io, COMMANDS), io.err()).toBe(0);
      expect(io.out()).toContain('encoder Linear weights');
    }
    const io = createTestIo(dir);
    expect(await runCli(['export', join('hf', 'model.safetensors'), '--format', 'pofa', '--out', 'from-file.pofa'], io, COMMANDS), io.err()).toBe(0);
    await rm(join(dir, 'from-file.pofa'));
    const safetensors = createTestIo(dir);
    expect(await runCli(['eval', 'truncated.safetensors'], safetensors, COMMANDS)).toBe(EXIT_CODES.failure);
    expect(safetensors.err()).toContain('(the folder with config.json beside the .safetensors file)');
    expect(await fingerprint(dir)).toEqual(before);
  });

  it('reads a GLUE-style TSV (sentence, integer labels) as a classification task', async () => {
    const io = createTestIo(dir);
    expect(await runCli(['eval', 'hf', '--task', 'glue-style.tsv', '--scale', 'test', '--json'], io, COMMANDS), io.err()).toBe(0);
    expect(JSON.parse(io.out())).toMatchObject([{ engine: 'tfjs', metric: 'accuracy', examples: 2 }]);
    expect(await fingerprint(dir)).toEqual(before);
  });

  it('--debug shows the stack of an error, without it none', async () => {
    const io = createTestIo(dir);
    expect(await runCli(['export', 'hf', '--debug', '--format', 'pofa', '--out', 'existing.pofa'], io, COMMANDS)).toBe(EXIT_CODES.io);
    expect(io.err()).toMatch(/already exists[^]*\n\s+at /);
  });

  it('a full disk mid-write: exit 3, "no space left", the old file intact, no temporary left', async () => {
    for (const argv of [
      ['export', 'hf', '--format', 'pofa', '--out', 'existing.pofa', '--force'],
      ['export', 'hf', '--format', 'onnx', '--out', 'existing.onnx', '--force'],
      ['export', 'hf', '--format', 'pofa', '--out', 'new.pofa'],
      ['export', 'hf', '--format', 'hf', '--out', 'new-hf'],
      ['export', 'hf', '--format', 'hf', '--out', 'hf-copy', '--force'],
    ]) {
      const undo = injectWriteFault(argv[5]);
      const io = createTestIo(dir);
      try {
        expect(await runCli(argv, io, COMMANDS)).toBe(EXIT_CODES.io);
      } finally {
        undo();
      }
      expect(io.err()).toMatch(/^pofa: Cannot write .*: no space left on the device/);
      expect(io.err()).not.toContain('unexpected error');
      expect(await fingerprint(dir)).toEqual(before);
    }
  });

  it('permission denied and a read-only disk get their own messages', async () => {
    for (const [code, message] of [['EACCES', /permission denied for/], ['EROFS', /is on a read-only file system/]] as const) {
      const undo = injectWriteFault('new.pofa', code);
      const io = createTestIo(dir);
      try {
        expect(await runCli(['export', 'hf', '--format', 'pofa', '--out', 'new.pofa'], io, COMMANDS)).toBe(EXIT_CODES.io);
      } finally {
        undo();
      }
      expect(io.err()).toMatch(message);
      expect(await fingerprint(dir)).toEqual(before);
    }
  });
});

describe('bad inputs through the built CLI (node dist/bin.js)', () => {
  const bin = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pofa-bad-input-bin-'));
    spawnSync('mkfifo', [join(dir, 'fifo')]);
    await initBackend({ backend: 'cpu' });
    await writeCheckpoint(join(dir, 'hf'));
  });

  it.each([
    [['export', 'missing', '--format', 'hf', '--out', '/proc/self/x'], 1, 'Cannot read missing'],
    [['export', 'hf', '--format', 'hf', '--out', '/proc/self/x'], 3, 'is on /proc'],
    [['export', 'hf', '--format', 'pofa', '--out', 'fifo'], 3, 'is a FIFO'],
    [['inspect', 'fifo'], 1, 'fifo is not a regular file or folder'],
    [['compress', '--batch-size', '-5'], 2, 'Unknown option --batch-size'],
    [['eval', 'x', '--batch-size', '-5'], 2, 'must be a positive integer (got -5)'],
    [['compress', '--scale', 'test', '--out', '/proc/self/x'], 3, 'is on /proc'],
    [['compress', '--scale', 'test', '--out', 'fifo'], 3, 'is a FIFO'],
  ] as const)('pofa %j exits %i within 20 s', (argv, code, message) => {
    const result = spawnSync(process.execPath, [bin, ...argv], { cwd: dir, timeout: 20_000, encoding: 'utf8' });
    expect(result.signal).toBeNull();
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toContain('unexpected error');
    expect(result.status).toBe(code);
  });

  it('SIGTERM ends a command that does not watch it (eval) within 2 s, with exit 130', async () => {
    // The eval lasts about 1.5 s on a quiet machine: signal it at several moments until one lands
    // while it works (not after it ended, nor before pofa's handler is installed).
    for (const delay of [1200, 900, 700, 1000, 800, 600, 500]) {
      const child = spawn(process.execPath, [bin, 'eval', 'hf', '--task', 'spam', '--scale', 'test'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
      const endedFirst = await Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), delay))]);
      if (endedFirst) continue;
      const signalled = Date.now();
      child.kill('SIGTERM');
      const { code, signal } = await exited;
      // Killed before pofa's handler was installed, or too late: the eval had finished (exit 0).
      if (signal === 'SIGTERM' || code === 0) continue;
      expect(Date.now() - signalled).toBeLessThan(2000);
      expect(code).toBe(130);
      expect(stderr).toContain('pofa: interrupted (pofa eval)');
      return;
    }
    throw new Error('no SIGTERM landed while pofa eval was running');
  });

  it('a reader that closes the pipe early (pofa inspect DIR | head) ends it quietly, without a stack trace', async () => {
    const child = spawn(process.execPath, [bin, 'inspect', 'hf'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', (status) => resolve(status)));
    // 0 when inspect had finished before the write failed, 141 (128 + SIGPIPE) when it was cut short.
    expect([0, 141]).toContain(code);
    expect(stderr).not.toContain('EPIPE');
  });

  it('leaves the folder as it was', async () => {
    expect((await readdir(dir)).sort()).toEqual(['fifo', 'hf']);
  });
});
