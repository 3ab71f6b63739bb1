import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { effectiveValues, ENCODER_LINEAR_WEIGHTS, TrainingError, readSafetensorsRaw, selectTargets, writeFileAtomic, writeSafetensors, type Modifier, type Module, type RawTensor } from '@pofa/core';
import { savePretrained, type EncoderModel } from '@pofa/models';
import { createPatternLockModifier, encoderSparsity } from '@pofa/prune';
import { createQatModifier, exportInt8, installFakeQuantization, type InstalledFakeQuantization } from '@pofa/quant';
import { fileBytes } from './measure';
import { loadModel } from './models';
import { trainStage, type StageEnvironment } from './stage-training';
import { stageLoss, taskDistillationModifier, type TaskTraining, type TeacherDistillation, type TrainingSettings } from './task-training';

/** The int8 scheme of QAT: weights symmetric int8 per tensor (the Prune OFA code) or per output row; inputs uint8 with EMA observers. */
export interface QatScheme {
  perChannel: boolean;
}

/** What {@link quantizationAwareTraining} returns. */
export interface QatResult {
  /** The sparse model with its masks and fake quantization on (weights and Linear inputs, observers frozen). */
  model: EncoderModel;
  /** The fake quantization on the model (its observed input ranges). */
  installed: InstalledFakeQuantization;
  /** `exportInt8` of the model: int8 weights, their scales, and the input scales of the QAT observers. */
  int8: Record<string, RawTensor>;
  /** The int8 safetensors file written (`int8-v1`, dense layout). */
  file: string;
  bytesOnDisk: number;
  /** Sparsity of the encoder Linear weights before QAT (the transferred model) and after (effective int8 weights). */
  sparsityBefore: number;
  sparsityAfter: number;
}

/** The weights QAT quantizes: the encoder Linear layers, as the `.pofa` bundle stores them in int8. */
const QAT_TARGETS = { include: [...ENCODER_LINEAR_WEIGHTS] };

/** Where each encoder Linear weight is exactly zero, one bit per weight (bit i of word i >> 5). */
function zeroPositions(model: Module): Map<string, Uint32Array> {
  const zeros = new Map<string, Uint32Array>();
  for (const [name, parameter] of selectTargets(model)) {
    const values = effectiveValues(parameter);
    const bits = new Uint32Array(Math.ceil(values.length / 32));
    for (let i = 0; i < values.length; i++) if (values[i] === 0) bits[i >>> 5] |= 1 << (i & 31);
    zeros.set(name, bits);
  }
  return zeros;
}

/**
 * Throws unless every encoder Linear weight that was zero before QAT is still exactly zero in the
 * model's effective (fake-quantized) weights: the sparsity pattern survives quantization.
 *
 * @example
 * ```ts
 * const before = zeroPositions(model); // ... QAT ...
 * checkPatternKept(model, before);
 * ```
 */
function checkPatternKept(model: Module, before: Map<string, Uint32Array>): void {
  for (const [name, parameter] of selectTargets(model)) {
    const values = effectiveValues(parameter);
    const zeros = before.get(name) ?? new Uint32Array(0);
    let pruned = 0;
    let revived = 0;
    for (let i = 0; i < values.length; i++) {
      if ((zeros[i >>> 5] & (1 << (i & 31))) === 0) continue;
      pruned++;
      if (values[i] !== 0) revived++;
    }
    if (revived > 0) {
      throw new TrainingError(`QAT changed the sparsity pattern of ${name}`, {
        expected: 'every pruned weight exactly zero after quantization-aware training',
        received: `${revived} of ${pruned} pruned weights non-zero`,
        hint: 'The pattern lock mask must apply before the weight fake-quantizer; please report this',
      });
    }
  }
}

function installScheme(model: Module, scheme: QatScheme): InstalledFakeQuantization {
  return installFakeQuantization(model, { targets: QAT_TARGETS, weights: { bits: 8, perChannel: scheme.perChannel }, activations: { observer: 'ema' } });
}

async function writeInt8(model: EncoderModel, installed: InstalledFakeQuantization, dir: string, scheme: QatScheme): Promise<{ int8: Record<string, RawTensor>; file: string; bytesOnDisk: number }> {
  const { tensors, metadata } = exportInt8(model, { targets: QAT_TARGETS, perChannel: scheme.perChannel, activationRanges: installed.activationRanges() });
  const file = join(dir, 'model-int8.safetensors');
  await writeSafetensors(file, tensors, metadata);
  return { int8: tensors, file, bytesOnDisk: await fileBytes(file) };
}

/**
 * Quantization-aware training of the sparse transferred model (Prune OFA §3.3): pattern lock keeps
 * its zeros, `createQatModifier` fake-quantizes the encoder Linear weights to int8 (per tensor by
 * default, as the official code; per output row with `perChannel`) and their inputs to uint8 with
 * EMA observers frozen after `settings.freezeObserversAt` of the steps, and task distillation from
 * the fine-tuned dense teacher stays on (when a teacher is given). Throws if a pruned weight became non-zero. Writes under
 * `<dir>`: `model/` (fake-quantized weights in fp32), `model-int8.safetensors` (`exportInt8` with
 * the observers' input ranges) and `observers.json` (to rebuild the fake quantization later).
 *
 * @example
 * ```ts
 * const { model, sparsityAfter } = await quantizationAwareTraining(sparseDir, { model: teacher, config: distillationPreset('prune-ofa') }, classificationTraining(task, encoder), { steps: 100, learningRate: 1e-5, batchSize: 32, freezeObserversAt: 0.5 }, environment, { perChannel: false });
 * ```
 */
export async function quantizationAwareTraining(
  sparseDir: string,
  teacher: TeacherDistillation | undefined,
  training: TaskTraining,
  settings: TrainingSettings & { freezeObserversAt: number },
  environment: StageEnvironment,
  scheme: QatScheme,
): Promise<QatResult> {
  const model = await loadModel(sparseDir, training.head, training.numLabels);
  const before = zeroPositions(model);
  const sparsityBefore = encoderSparsity(model);
  const { steps, freezeObserversAt, ...rest } = settings;
  const qat = createQatModifier({
    start: 0,
    targets: QAT_TARGETS,
    weights: { bits: 8, perChannel: scheme.perChannel },
    activations: { observer: 'ema', freezeAfterSteps: Math.max(1, Math.floor(steps * freezeObserversAt)) },
  });
  // Pattern lock first: its masks go on at initialize, before QAT appends the fake-quantizers.
  const modifiers: Modifier[] = [createPatternLockModifier({}), qat];
  if (teacher !== undefined) modifiers.push(taskDistillationModifier(training, teacher, environment.seed + 3));
  await trainStage({ name: 'quantization-aware training', model, data: training.data, loss: stageLoss(training, teacher), steps, ...rest, modifiers, environment });
  const installed = qat.installed;
  if (installed === undefined) throw new TrainingError('QAT never started', { expected: 'the fake quantization installed at step 0', received: 'none', hint: 'Please report this' });
  installed.freeze();
  checkPatternKept(model, before);
  await savePretrained(model, join(environment.dir, 'model'));
  await writeFileAtomic(join(environment.dir, 'observers.json'), `${JSON.stringify(installed.observerStates())}\n`);
  const written = await writeInt8(model, installed, environment.dir, scheme);
  return { model, installed, ...written, sparsityBefore, sparsityAfter: encoderSparsity(model) };
}

/**
 * The result of a finished QAT stage, rebuilt from its folder: the saved model with the same fake
 * quantization installed and its observers restored (frozen), and the int8 tensors from disk.
 *
 * @example
 * ```ts
 * const { model } = await loadQuantizedStage('pofa-out/quantize', { head: 'sequence-classification', numLabels: 2 }, { perChannel: false }, { sparsityBefore: 0.9 });
 * ```
 */
export async function loadQuantizedStage(dir: string, head: Pick<TaskTraining, 'head' | 'numLabels'>, scheme: QatScheme, record: { sparsityBefore: number }): Promise<QatResult> {
  const model = await loadModel(join(dir, 'model'), head.head, head.numLabels);
  const installed = installScheme(model, scheme);
  installed.loadObserverStates(JSON.parse(await readFile(join(dir, 'observers.json'), 'utf8')));
  installed.freeze();
  const file = join(dir, 'model-int8.safetensors');
  const { tensors } = await readSafetensorsRaw(file);
  return { model, installed, int8: tensors, file, bytesOnDisk: await fileBytes(file), sparsityBefore: record.sparsityBefore, sparsityAfter: encoderSparsity(model) };
}

/**
 * The per-row weight scales (by weight name) and input ranges (by module path) of an int8 export,
 * in the form `exportBundle`'s `int8` option takes: a per-tensor scale is repeated for every row,
 * which quantizes exactly as per tensor.
 *
 * @example
 * ```ts
 * await exportBundle(model, 'sparse-int8.pofa', { format: 'csr', int8: bundleInt8Options(int8Tensors) });
 * ```
 */
export function bundleInt8Options(tensors: Record<string, RawTensor>): { scales: Record<string, Float32Array<ArrayBuffer>>; activations: Record<string, [number, number]> } {
  const scales: Record<string, Float32Array<ArrayBuffer>> = {};
  const activations: Record<string, [number, number]> = {};
  // In name order: a live run's tensors come in module order, those read back from
  // model-int8.safetensors in name order, and the bundle must not depend on which.
  for (const [name, tensor] of Object.entries(tensors).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!name.endsWith('.weight') || tensor.dtype !== 'I8') continue;
    const module = name.slice(0, -'.weight'.length);
    const scale = tensors[`${module}.weight_scale`].data as Float32Array;
    const rows = tensor.shape[0];
    scales[name] = scale.length === rows ? Float32Array.from(scale) : new Float32Array(rows).fill(scale[0]);
    const inputScale = tensors[`${module}.input_scale`];
    const inputZeroPoint = tensors[`${module}.input_zero_point`];
    if (inputScale !== undefined && inputZeroPoint !== undefined) {
      // The uint8 grid of the QAT observer: [−zero_point, 255 − zero_point] · scale.
      const step = Number(inputScale.data[0]);
      const zeroPoint = Number(inputZeroPoint.data[0]);
      activations[module] = [-zeroPoint * step, (255 - zeroPoint) * step];
    }
  }
  return { scales, activations };
}
