import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENCODER_LINEAR_WEIGHTS, initBackend } from '@pofa/core';
import type { TaskName } from '@pofa/models';
import { exportInt8 } from '@pofa/quant';
import { beforeAll, describe, expect, it } from 'vitest';
import { fakeQuantize, smallBert, smallDistilBert } from './__fixtures__/onnx-models';
import { buildOnnxModel } from './export-onnx';

// Debian's onnx package (apt-get install python3-onnx) is the reference checker; CI installs it and
// also runs `test:onnx-checker` on real-width models. Without it these tests are skipped.
const python = '/usr/bin/python3';
const checker = fileURLToPath(new URL('../scripts/check-onnx.py', import.meta.url));
const available = spawnSync(python, ['-c', 'import onnx'], { encoding: 'utf8' }).status === 0;
if (!available) console.warn(`onnx-checker.test.ts: skipped, ${python} cannot import onnx (apt-get install python3-onnx)`);

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

const TASKS: TaskName[] = ['base', 'masked-lm', 'sequence-classification', 'question-answering'];

describe.skipIf(!available)('onnx.checker.check_model(full_check=True)', () => {
  it('accepts every family, head and quantization pofa writes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pofa-onnx-check-'));
    const files: string[] = [];
    const write = async (name: string, bytes: Uint8Array) => {
      files.push(join(dir, `${name}.onnx`));
      await writeFile(files.at(-1)!, bytes);
    };
    const targets = { include: [...ENCODER_LINEAR_WEIGHTS] };
    for (const [index, task] of TASKS.entries()) {
      for (const model of [smallBert(task, 80 + index), smallDistilBert(task, 90 + index)]) {
        await write(`${model.family}-${task}`, buildOnnxModel(model));
        await write(`${model.family}-${task}-dynamic`, buildOnnxModel(model, { int8: exportInt8(model, { targets, perChannel: index % 2 === 0 }).tensors, dynamicQuantization: true }));
        const installed = fakeQuantize(model, index % 2 === 1);
        await write(`${model.family}-${task}-qdq`, buildOnnxModel(model, { int8: exportInt8(model, { targets, perChannel: index % 2 === 1, activationRanges: installed.activationRanges() }).tensors }));
        installed.remove();
        model.dispose();
      }
    }
    const result = spawnSync(python, [checker, ...files], { encoding: 'utf8' });
    await rm(dir, { recursive: true, force: true });
    expect(result.stdout.split('\n').filter((line) => line.startsWith('FAILED'))).toEqual([]);
    expect([result.status, result.stdout.trim().split('\n').at(-1)]).toEqual([0, `check-onnx: ${files.length} passed, 0 failed`]);
  });
});
