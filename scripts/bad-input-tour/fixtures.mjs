// The fixtures of the bad-input tour (../bad-input-tour.mjs), built in a fresh folder with pofa's
// own tools: a finished `compress --scale test` run, a `pretrain` run, a `transfer` run, tiny Hugging
// Face checkpoints (writeSyntheticCheckpoint), .pofa bundles, and files a user could hand pofa by
// mistake: damaged checkpoints, data in the wrong encoding, images under other names, symlinks.
import { execFileSync } from 'node:child_process';
import { chmod, copyFile, cp, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { BIN, ROOT } from './run-case.mjs';

/** Words of the synthetic vocabulary, so the data files tokenize into real entries. */
const WORDS = ['free', 'money', 'win', 'offer', 'click', 'hello', 'meeting', 'lunch', 'tomorrow', 'today'];

/** A 1x1 PNG: what a user gets when an image is saved under the wrong name. */
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f0e0000000049454e44ae426082', 'hex');

/** 60 spam and 60 ham lines of vocabulary words: a TSV every reader must take. */
function smallRows() {
  const rows = [];
  for (let index = 0; index < 60; index += 1) {
    rows.push([`free money win offer ${index}`, 'spam'], [`hello meeting lunch tomorrow ${index}`, 'ham']);
  }
  return rows;
}

const tsv = (rows, eol = '\n') => `text\tlabel${eol}${rows.map((row) => row.join('\t')).join(eol)}${eol}`;

/** A safetensors file split into its header (parsed) and data bytes. */
export function parseSafetensors(bytes) {
  const length = Number(bytes.readBigUInt64LE(0));
  return { header: JSON.parse(bytes.subarray(8, 8 + length).toString('utf8')), data: bytes.subarray(8 + length) };
}

/** A safetensors file of `header` and `data` (the header padded to 8 bytes as the format asks). */
export function buildSafetensors(header, data) {
  let json = JSON.stringify(header);
  while ((json.length + 8) % 8 !== 0) json += ' ';
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  return Buffer.concat([length, Buffer.from(json), data]);
}

/** `header`/`data` without tensor `name`: its bytes cut out, the later offsets moved back. */
function withoutTensor({ header, data }, name) {
  const [start, end] = header[name].data_offsets;
  const next = {};
  for (const [key, value] of Object.entries(header)) {
    if (key === name) continue;
    if (key === '__metadata__') next[key] = value;
    else next[key] = { ...value, data_offsets: value.data_offsets.map((offset) => (offset >= end ? offset - (end - start) : offset)) };
  }
  return buildSafetensors(next, Buffer.concat([data.subarray(0, start), data.subarray(end)]));
}

function runCli(argv, dir, env) {
  execFileSync(process.execPath, [BIN, ...argv], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A copy of checkpoint `hf` as `name` with `files` replaced (a value of null removes the file). */
async function variant(dir, name, files) {
  await cp(join(dir, 'hf'), join(dir, name), { recursive: true });
  for (const [file, contents] of Object.entries(files)) {
    if (contents === null) execFileSync('rm', ['-f', join(dir, name, file)]);
    else await writeFile(join(dir, name, file), contents);
  }
}

/**
 * Writes every fixture into `dir` (made world-readable, so cases run as `nobody` read them) and
 * returns what the cases compare against: the JSON rows of `eval hf --task small.tsv`.
 */
export async function buildFixtures(dir, env) {
  await chmod(dir, 0o755);
  const { writeSyntheticCheckpoint } = await import(pathToFileURL(join(ROOT, 'packages/models/dist/testing/index.js')).href);
  const shape = { layers: 2, hidden: 32, heads: 2, intermediate: 64, vocabSize: 256, maxPositions: 64, words: WORDS, seed: 1 };
  await writeSyntheticCheckpoint(join(dir, 'hf'), { ...shape, task: 'sequence-classification' });
  await writeSyntheticCheckpoint(join(dir, 'hf-mlm'), { ...shape, task: 'masked-lm', sparsity: 0.9 });
  await writeSyntheticCheckpoint(join(dir, 'hf-distil'), { ...shape, family: 'distilbert', task: 'sequence-classification' });
  await writeSyntheticCheckpoint(join(dir, 'hf-qa'), { ...shape, task: 'question-answering' });
  await writeSyntheticCheckpoint(join(dir, 'hf-3class'), { ...shape, task: 'sequence-classification', numLabels: 3 });
  await writeSyntheticCheckpoint(join(dir, 'hf-f16'), { ...shape, task: 'sequence-classification', dtype: 'F16' });

  // Data files: right ones in several spellings (each must read as small.tsv does), wrong ones.
  const rows = smallRows();
  const text = tsv(rows);
  const data = {
    'small.tsv': text,
    'small.jsonl': rows.map(([value, label]) => JSON.stringify({ text: value, label })).join('\n') + '\n',
    'crlf.tsv': tsv(rows, '\r\n'),
    'bom.tsv': `\ufeff${text}`,
    'blank-lines.tsv': `${text.replace(/\n/g, '\n\n')}\n\n`,
    'utf16.tsv': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
    'png.tsv': PNG,
    'quoted-tab.tsv': `text\tlabel\n"free\tmoney"\tspam\n${rows.slice(0, 40).map((row) => row.join('\t')).join('\n')}\n`,
    'trailing-comma.jsonl': `${rows.slice(0, 40).map(([value, label]) => `{"text": ${JSON.stringify(value)}, "label": "${label}",}`).join('\n')}\n`,
    'json-array.jsonl': JSON.stringify(rows.map(([value, label]) => ({ text: value, label }))),
    'header-only.tsv': 'text\tlabel\n',
    'nul.tsv': `text\tlabel\n${rows.slice(0, 40).map(([value, label]) => `${value}\u0000\t${label}`).join('\n')}\n`,
    'padded-labels.tsv': tsv(rows.map(([value, label], index) => [value, index % 4 === 0 ? `${label} ` : label])),
    'small.TSV': text,
    'data.txt': text,
    'nan-label.tsv': tsv(rows.map(([value], index) => [value, index === 7 ? 'NaN' : String(index / 10)])),
    'notes.txt': 'not a model\n',
    'empty.yaml': '',
    'recipe-png.yaml': PNG,
    'recipe-list.json': '[1, 2, 3]\n',
    'png.pofa': PNG,
    'png.safetensors': PNG,
    'keep/keep.txt': 'the user wrote this\n',
    'glue-no-dev/SST-2/train.tsv': 'sentence\tlabel\nfree money\t1\nhello lunch\t0\n',
    'glue-no-dev/train.tsv': 'sentence\tlabel\nfree money\t1\nhello lunch\t0\n',
    'glue-mixed/train.tsv': 'sentence\tlabel\nfree money\t1\nhello lunch\t0\n',
    'glue-mixed/dev.tsv': 'premise\thypothesis\tlabel\na\tb\tentailment\n',
    'squad-broken/train-v1.1.json': '{"data": [{"title": "x", "paragraphs": [',
    'squad-broken/dev-v1.1.json': '{"version": "1.1", "data": 3}',
    'corpus-empty.txt': '',
  };
  for (const [name, contents] of Object.entries(data)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), contents);
  }

  // Runs made by pofa itself: a finished compress run, a pretrain run, a transfer run.
  runCli(['compress', '--scale', 'test', '--out', 'run'], dir, env);
  runCli(['pretrain', '--scale', 'test', '--out', 'pre'], dir, env);
  runCli(['transfer', 'hf', '--task', 'small.tsv', '--steps', '2', '--no-int8', '--seq', '32', '--out', 'tr'], dir, env);
  await copyFile(join(dir, 'run', 'bundles', 'sparse-int8.pofa'), join(dir, 'model.pofa'));
  await writeFile(join(dir, 'model.pofa.gz'), gzipSync(await readFile(join(dir, 'model.pofa'))));
  await copyFile(join(dir, 'model.pofa.gz'), join(dir, 'gz.pofa'));

  // Damaged copies of the checkpoint: truncated weights, wrong config, wrong vocabulary.
  const weights = await readFile(join(dir, 'hf', 'model.safetensors'));
  const parsed = parseSafetensors(weights);
  const headerEnd = 8 + Number(weights.readBigUInt64LE(0));
  const config = JSON.parse(await readFile(join(dir, 'hf', 'config.json'), 'utf8'));
  const vocab = (await readFile(join(dir, 'hf', 'vocab.txt'), 'utf8')).split('\n').filter((line) => line !== '');
  const configWith = (changes) => JSON.stringify({ ...config, ...changes }, null, 2);
  const classifier = parsed.header['classifier.weight'];
  const nanData = Buffer.from(parsed.data);
  new Float32Array(nanData.buffer, nanData.byteOffset + classifier.data_offsets[0], (classifier.data_offsets[1] - classifier.data_offsets[0]) / 4).fill(Number.NaN);
  const [firstHalf, secondHalf] = [Object.keys(parsed.header).filter((key) => key !== '__metadata__').slice(0, 10), Object.keys(parsed.header).filter((key) => key !== '__metadata__').slice(10)];
  const variants = {
    'ck-trunc-4': { 'model.safetensors': weights.subarray(0, 4) },
    'ck-trunc-8': { 'model.safetensors': weights.subarray(0, 8) },
    'ck-trunc-header': { 'model.safetensors': weights.subarray(0, Math.floor(headerEnd / 2)) },
    'ck-trunc-data': { 'model.safetensors': weights.subarray(0, headerEnd) },
    'ck-trunc-1': { 'model.safetensors': weights.subarray(0, weights.length - 1) },
    'ck-missing-tensor': { 'model.safetensors': withoutTensor(parsed, 'bert.encoder.layer.1.output.dense.weight') },
    'ck-int32': { 'model.safetensors': buildSafetensors({ ...parsed.header, 'classifier.weight': { ...classifier, dtype: 'I32' } }, parsed.data) },
    'ck-nan': { 'model.safetensors': buildSafetensors(parsed.header, nanData) },
    'ck-gpt2': { 'config.json': configWith({ model_type: 'gpt2', architectures: ['GPT2LMHeadModel'] }) },
    'ck-roberta': { 'config.json': configWith({ model_type: 'roberta', architectures: ['RobertaForSequenceClassification'] }) },
    'ck-config-array': { 'config.json': '[{"model_type": "bert"}]\n' },
    'ck-heads': { 'config.json': configWith({ num_attention_heads: 3 }) },
    'ck-shape': { 'config.json': configWith({ hidden_size: 64, intermediate_size: 128 }) },
    'ck-labels': { 'config.json': configWith({ id2label: { 0: 'a', 1: 'b', 2: 'c' }, label2id: { a: 0, b: 1, c: 2 } }) },
    'ck-vocab-dup': { 'vocab.txt': `${[...vocab.slice(0, 200), 'free', 'money', ...vocab.slice(202)].join('\n')}\n` },
    'ck-vocab-empty': { 'vocab.txt': '' },
    'ck-vocab-big': { 'vocab.txt': `${[...vocab, ...Array.from({ length: 40 }, (_, index) => `extra${index}`)].join('\n')}\n` },
    'ck-vocab-crlf': { 'vocab.txt': `${vocab.join('\r\n')}\r\n` },
    'ck-vocab-utf16': { 'vocab.txt': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${vocab.join('\n')}\n`, 'utf16le')]) },
    'ck-no-vocab': { 'vocab.txt': null },
    'ck-index-missing-shard': {
      'model.safetensors': null,
      'model-00001-of-00002.safetensors': buildSafetensors(Object.fromEntries(firstHalf.map((key) => [key, parsed.header[key]])), parsed.data),
      'model.safetensors.index.json': JSON.stringify({ metadata: {}, weight_map: Object.fromEntries([...firstHalf.map((key) => [key, 'model-00001-of-00002.safetensors']), ...secondHalf.map((key) => [key, 'model-00002-of-00002.safetensors'])]) }),
    },
    'ck-index-broken': { 'model.safetensors': null, 'model.safetensors.index.json': '{"weight_map": {"a": ' },
  };
  for (const [name, files] of Object.entries(variants)) await variant(dir, name, files);

  // Places: paths with spaces and other scripts, a read-only folder, symlinks, a working folder.
  for (const folder of ['dir with spaces', 'données é', 'ro', 'open', 'locked', 'work/sub']) await mkdir(join(dir, folder), { recursive: true });
  await cp(join(dir, 'hf'), join(dir, 'données é', 'hf'), { recursive: true });
  await copyFile(join(dir, 'model.pofa'), join(dir, 'dir with spaces', 'model.pofa'));
  await chmod(join(dir, 'ro'), 0o555);
  await chmod(join(dir, 'open'), 0o777);
  await chmod(join(dir, 'locked'), 0o700);
  await symlink('nowhere', join(dir, 'dangling'));
  await symlink('nowhere.pofa', join(dir, 'dangling-out.pofa'));
  await symlink('missing.tsv', join(dir, 'dangling.tsv'));
  await symlink('loop', join(dir, 'loop'));
  await symlink('hf', join(dir, 'link-hf'));
  // Run folders that are damaged: run.json unreadable, from a newer pofa, a folder in its place.
  for (const [name, runJson] of [['pre-broken-json', '{"format": 1, "command": '], ['pre-future', null], ['pre-run-json-folder', undefined]]) {
    await cp(join(dir, 'pre'), join(dir, name), { recursive: true });
    if (runJson === undefined) {
      execFileSync('rm', [join(dir, name, 'run.json')]);
      await mkdir(join(dir, name, 'run.json'));
    } else if (runJson === null) {
      const record = JSON.parse(await readFile(join(dir, name, 'run.json'), 'utf8'));
      await writeFile(join(dir, name, 'run.json'), JSON.stringify({ ...record, format: 99 }));
    } else await writeFile(join(dir, name, 'run.json'), runJson);
  }
  const reference = execFileSync(process.execPath, [BIN, 'eval', 'hf', '--task', 'small.tsv', '--json'], { cwd: dir, env, encoding: 'utf8' });
  return { evalSmall: JSON.parse(reference) };
}
