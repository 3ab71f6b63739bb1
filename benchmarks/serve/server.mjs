#!/usr/bin/env node
// One server of the load benchmark: the pofa serve app (Fastify, the same routes, validation,
// metrics and batch queue) over either engine:
//   --engine pofa  the .pofa bundle on the sparse-kernels runtime (what `pofa serve` runs)
//   --engine ort   the same int8 weights as ONNX on onnxruntime-node, tokenized by the bundle's tokenizer
// Usage: node serve/server.mjs --bundle model.pofa [--engine ort --onnx model.onnx] [--max-batch 32]
//        [--max-wait-ms 5] [--threads N]. Prints "listening on URL"; SIGTERM stops it.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { createModelQueue, createServeApp, createServeMetrics, loadServedModel } from '@pofa/cli';
import { createBundleTokenizer, topLabels } from '@pofa/runtime';
import { loadKernels, readBundle } from '@pofa/sparse-kernels';
import ort from 'onnxruntime-node';

const { values: args } = parseArgs({
  options: {
    engine: { type: 'string', default: 'pofa' },
    bundle: { type: 'string' },
    onnx: { type: 'string' },
    'max-batch': { type: 'string', default: '32' },
    'max-wait-ms': { type: 'string', default: '5' },
    threads: { type: 'string' },
  },
});
const maxBatch = Number(args['max-batch']);
const maxWaitMs = Number(args['max-wait-ms']);
const threads = Number(args.threads ?? (os.availableParallelism?.() ?? os.cpus().length));
const metrics = createServeMetrics();

/** The ORT engine behind the same queue: encode, pad to the batch's longest, run, softmax. */
async function onnxModel() {
  const bundle = await readBundle(args.bundle);
  const tokenizer = await createBundleTokenizer(bundle);
  const { labels } = bundle.task;
  const session = await ort.InferenceSession.create(args.onnx, { intraOpNumThreads: threads, interOpNumThreads: 1 });
  const run = async (texts) => {
    const encodings = await tokenizer.encodeBatch(texts, { maxLength: tokenizer.maxLength, truncation: 'longest_first' });
    const seq = Math.max(...encodings.map((encoding) => encoding.inputIds.length));
    const ids = new BigInt64Array(texts.length * seq);
    const mask = new BigInt64Array(texts.length * seq);
    const types = new BigInt64Array(texts.length * seq);
    encodings.forEach((encoding, row) => {
      encoding.inputIds.forEach((id, index) => {
        ids[row * seq + index] = BigInt(id);
        mask[row * seq + index] = 1n;
        types[row * seq + index] = BigInt(encoding.tokenTypeIds[index]);
      });
    });
    const dims = [texts.length, seq];
    const output = await session.run({ input_ids: new ort.Tensor('int64', ids, dims), attention_mask: new ort.Tensor('int64', mask, dims), token_type_ids: new ort.Tensor('int64', types, dims) });
    const logits = output.logits.data;
    return texts.map((_, row) => topLabels(logits.subarray(row * labels.length, (row + 1) * labels.length), labels, labels.length));
  };
  const queue = createModelQueue('ort', { maxBatch, maxWaitMs }, metrics, run);
  return { name: 'ort', path: args.onnx, task: bundle.task, pipeline: 'text-classification', queue };
}

const served =
  args.engine === 'ort'
    ? await onnxModel()
    : await loadServedModel({ name: 'pofa', path: args.bundle }, { maxBatch, maxWaitMs, kernels: loadKernels({ threads }) }, metrics);
const app = createServeApp([served], { maxBodyBytes: 1 << 20, maxInputs: 256, maxInputChars: 100_000, metrics });
await app.listen({ port: 0, host: '127.0.0.1' });
console.log(`listening on http://127.0.0.1:${app.server.address().port}`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
