// The files the bad-input suite (../bad-input.test.ts) runs the CLI against: a small Hugging Face
// checkpoint, a finished run folder, a .pofa bundle, corrupted copies, special files, and a
// fingerprint of the whole folder to prove that no command changed, added or left anything.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { createServer, type Server } from 'node:net';
import { mkdir, readdir, readFile, lstat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tf } from '@pofa/core';
import { BertModel, savePretrained, saveVocab } from '@pofa/models';

const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...Array.from({ length: 55 }, (_, index) => `tok${index}`)];

/** A 2-layer BERT (hidden 32) with a 2-class head (or a masked-LM head), saved as a Hugging Face directory with vocab.txt. */
export async function writeCheckpoint(dir: string, task: 'sequence-classification' | 'masked-lm' = 'sequence-classification'): Promise<void> {
  const config = { vocab_size: VOCAB.length, hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 64, max_position_embeddings: 32 };
  const model = new BertModel(config, { task, seed: 3 });
  await savePretrained(model, dir);
  await saveVocab(join(dir, 'vocab.txt'), VOCAB);
  model.dispose();
}

const lines = (labels: readonly string[], column = 'text'): string => `${column}\tlabel\n${labels.map((label, index) => `some words ${index}\t${label}`).join('\n')}\n`;
const twoClasses = Array.from({ length: 20 }, (_, index) => (index % 2 === 0 ? 'ham' : 'spam'));

/** User data files (`--task FILE`), each wrong in one way, and one right in GLUE's layout. */
const USER_DATA: Record<string, string | Uint8Array> = {
  'one-class.tsv': lines(Array(12).fill('spam')),
  'one-integer.tsv': lines(Array(12).fill('1'), 'sentence'),
  'rare-class.tsv': lines([...twoClasses, 'maybe']),
  'empty-text.tsv': 'text\tlabel\nfine words\tham\n \tspam\n',
  'empty-pair.jsonl': '{"sentence1": "a", "sentence2": "", "label": 0}\n',
  'ragged.tsv': 'text\tlabel\nfine words\tham\nno label here\n',
  'no-text.tsv': 'words\tlabel\nfine\tham\n',
  'bad-json.jsonl': '{"text": "a", "label": "x"}\n{"text": "b",\n',
  'unlabelled.tsv': 'text\nfine words\nmore words\n',
  'names.tsv': lines(twoClasses),
  'glue-style.tsv': lines(twoClasses.map((name) => (name === 'ham' ? '0' : '1')), 'sentence'),
  'not-utf8.tsv': Uint8Array.from([...new TextEncoder().encode('text\tlabel\nok\tham\ncaf'), 0xe9, ...new TextEncoder().encode('\tspam\n')]),
  'empty.tsv': '',
  'data.csv': 'text,label\na,b\n',
};

/** Bytes of `source` with `count` bytes from `offset` (from the end when negative) inverted. */
function flipped(source: Uint8Array, offset: number, count = 4): Uint8Array {
  const copy = Uint8Array.from(source);
  const start = offset < 0 ? copy.length + offset : offset;
  for (let index = start; index < Math.min(copy.length, start + count); index += 1) copy[index] ^= 0xff;
  return copy;
}

/** What the fixtures folder holds; `socket` is closed by `close()`. */
export interface BadInputFixtures {
  dir: string;
  /** True when the suite may make device nodes (root). */
  devices: boolean;
  close(): Promise<void>;
}

/**
 * Writes every fixture into `dir`; `exportBundle` makes `model.pofa` from the checkpoint (the CLI
 * itself, so the bundle is the real format).
 */
export async function writeBadInputFixtures(dir: string, exportBundle: () => Promise<void>): Promise<BadInputFixtures> {
  await tf.ready();
  await writeCheckpoint(join(dir, 'hf'));
  await exportBundle();
  const bundle = new Uint8Array(await readFile(join(dir, 'model.pofa')));
  const safetensors = new Uint8Array(await readFile(join(dir, 'hf', 'model.safetensors')));
  const files: Record<string, string | Uint8Array> = {
    'notes.txt': 'not a model\n',
    'existing.pofa': 'a file the user wants to keep\n',
    'existing.onnx': 'a file the user wants to keep\n',
    'rows.json': '[1, 2, 3]\n',
    'user-folder/keep.txt': 'the user wrote this\n',
    'hf-copy/config.json': await readFile(join(dir, 'hf', 'config.json'), 'utf8'),
    'no-weights/config.json': await readFile(join(dir, 'hf', 'config.json'), 'utf8'),
    'bad-config/config.json': '{"model_type": "bert", "hidden_size": ',
    'bad-config/model.safetensors': safetensors,
    'empty.pofa': new Uint8Array(0),
    'magic-only.pofa': new TextEncoder().encode('POFA'),
    'bad-version.pofa': flipped(bundle, 4, 2),
    'bad-header-length.pofa': flipped(bundle, 8, 4),
    'bad-header.pofa': flipped(bundle, 40, 8),
    'bad-data.pofa': flipped(bundle, Math.floor(bundle.length * 0.7), 16),
    'bad-checksum.pofa': flipped(bundle, -4, 4),
    'truncated.pofa': bundle.slice(0, Math.floor(bundle.length / 2)),
    'trailing.pofa': Uint8Array.from([...bundle, 1, 2, 3, 4]),
    'empty.safetensors': new Uint8Array(0),
    'truncated.safetensors': safetensors.slice(0, Math.floor(safetensors.length / 2)),
    'bad-header.safetensors': flipped(safetensors, 12, 8),
    'huge-header.safetensors': flipped(safetensors, 4, 4),
    'bad-recipe.yaml': 'modifiers:\n  - type: prune/nothing-like-this\n',
    'broken-recipe.yaml': 'modifiers: [unclosed\n',
    ...USER_DATA,
    'run/run.json': JSON.stringify({ command: 'compress', settings: {}, completed: true }),
    'run/models.json': JSON.stringify({ sparse: 'sparse', vocab: 'vocab.txt', bundles: {} }),
    'run/vocab.txt': `${VOCAB.join('\n')}\n`,
    'unfinished/run.json': JSON.stringify({ command: 'compress', settings: {}, completed: false }),
    'bad-models/run.json': JSON.stringify({ command: 'compress', settings: {}, completed: true }),
    'bad-models/models.json': '{"sparse": 3}',
    'bad-settings/run.json': JSON.stringify({ command: 'compress', settings: { sparsity: 'lots' }, completed: false }),
  };
  for (const [name, contents] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), contents);
  }
  await mkdir(join(dir, 'empty-folder'));
  await writeCheckpoint(join(dir, 'run', 'sparse'));
  await writeCheckpoint(join(dir, 'mlm'), 'masked-lm');
  execFileSync('mkfifo', [join(dir, 'fifo')]);
  let devices = false;
  if (process.getuid?.() === 0) {
    // A character device of our own (the null device's numbers): writing over it hurts nothing else.
    devices = (() => {
      try {
        execFileSync('mknod', [join(dir, 'device'), 'c', '1', '3']);
        return true;
      } catch {
        return false;
      }
    })();
  }
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(join(dir, 'socket'), resolve));
  return { dir, devices, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/**
 * Every path under `dir` with its type and the hash of its bytes (special files by type only):
 * equal fingerprints before and after a command mean it changed, added and left nothing.
 */
export async function fingerprint(dir: string): Promise<Map<string, string>> {
  const result = new Map<string, string>();
  const walk = async (folder: string): Promise<void> => {
    for (const name of (await readdir(folder)).sort()) {
      const path = join(folder, name);
      const info = await lstat(path);
      if (info.isDirectory()) {
        result.set(path, 'folder');
        await walk(path);
      } else if (info.isFile()) {
        result.set(path, createHash('sha256').update(await readFile(path)).digest('hex'));
      } else {
        result.set(path, info.isFIFO() ? 'fifo' : info.isSocket() ? 'socket' : info.isCharacterDevice() ? 'device' : 'other');
      }
    }
  };
  await walk(dir);
  return result;
}

const fsPromises = createRequire(import.meta.url)('node:fs/promises') as typeof import('node:fs/promises');

/**
 * Makes every `writeFile` of a path that contains `match` write half its bytes and then fail with
 * `code` (ENOSPC: a disk that fills up mid-write), for ESM importers too; returns the undo.
 */
export function injectWriteFault(match: string, code = 'ENOSPC'): () => void {
  const original = fsPromises.writeFile;
  fsPromises.writeFile = (async (path: Parameters<typeof original>[0], data: Parameters<typeof original>[1], options?: Parameters<typeof original>[2]) => {
    if (!String(path).includes(match)) return original(path, data, options);
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data instanceof Uint8Array ? data : Buffer.concat([...(data as Iterable<Uint8Array>)]);
    await original(path, bytes.slice(0, Math.floor(bytes.length / 2)));
    throw Object.assign(new Error(`${code}: injected fault, write '${String(path)}'`), { code, errno: -28, syscall: 'write', path: String(path) });
  }) as typeof original;
  syncBuiltinESMExports();
  return () => {
    fsPromises.writeFile = original;
    syncBuiltinESMExports();
  };
}
