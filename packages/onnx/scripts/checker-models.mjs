#!/usr/bin/env node
// `pnpm --filter @pofa/onnx run test:onnx-checker`: exports a 2-layer, 768-wide BERT masked LM
// with the 30522-token vocabulary (a synthetic checkpoint of @pofa/models/testing, loaded as a Hugging
// Face directory) as ONNX in fp32, int8 QDQ (QAT-style input scales), int8 weights and dynamic int8,
// then runs Debian's onnx checker on the files: scripts/check-onnx.py, check_model(full_check=True).
// Needs the built packages (pnpm build) and /usr/bin/python3 with onnx (apt-get install python3-onnx).
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENCODER_LINEAR_WEIGHTS, initBackend, tf } from '@pofa/core';
import { loadPretrained } from '@pofa/models';
import { writeSyntheticCheckpoint } from '@pofa/models/testing';
import { exportOnnx } from '@pofa/onnx';
import { exportInt8, installFakeQuantization } from '@pofa/quant';

const python = process.env.POFA_PYTHON ?? '/usr/bin/python3';
const checker = fileURLToPath(new URL('check-onnx.py', import.meta.url));
const probe = spawnSync(python, ['-c', 'import onnx'], { encoding: 'utf8' });
if (probe.status !== 0) {
  console.error(`test:onnx-checker needs ${python} with the onnx package (apt-get install python3-onnx): ${probe.error?.message ?? probe.stderr.trim()}`);
  process.exit(1);
}

const dir = await mkdtemp(join(tmpdir(), 'pofa-onnx-checker-'));
try {
  await initBackend({ backend: 'cpu' });
  const checkpoint = join(dir, 'bert');
  await writeSyntheticCheckpoint(checkpoint, { layers: 2, hidden: 768, vocabSize: 30522, task: 'masked-lm', seed: 17 });
  const { model } = await loadPretrained(checkpoint);
  const targets = { include: [...ENCODER_LINEAR_WEIGHTS] };
  const files = { fp32: join(dir, 'fp32.onnx'), 'int8-weights': join(dir, 'int8-weights.onnx'), 'dynamic-int8': join(dir, 'dynamic-int8.onnx'), 'qdq-int8': join(dir, 'qdq-int8.onnx') };
  await exportOnnx(model, { out: files.fp32 });
  const weightsOnly = exportInt8(model, { targets, perChannel: true }).tensors;
  await exportOnnx(model, { out: files['int8-weights'], int8: weightsOnly });
  await exportOnnx(model, { out: files['dynamic-int8'], int8: weightsOnly, dynamicQuantization: true });
  // Input ranges as QAT observes them: one training-mode pass over a batch of token ids.
  const installed = installFakeQuantization(model, { targets, weights: { bits: 8, perChannel: true }, activations: { observer: 'min-max' } });
  model.train();
  const inputIds = [Array.from({ length: 16 }, (_, position) => (position === 0 ? 101 : 1000 + position * 37))];
  tf.dispose(model.forward({ inputIds, attentionMask: [inputIds[0].map(() => 1)] }));
  model.eval();
  await exportOnnx(model, { out: files['qdq-int8'], int8: exportInt8(model, { targets, perChannel: true, activationRanges: installed.activationRanges() }).tensors });
  installed.remove();
  model.dispose();
  const result = spawnSync(python, [checker, ...Object.values(files)], { stdio: 'inherit' });
  process.exitCode = result.status ?? 1;
} finally {
  await rm(dir, { recursive: true, force: true });
}
