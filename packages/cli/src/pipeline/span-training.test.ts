import { createRandom, createTrainer, initBackend, tf, type LossContext } from '@pofa/core';
import { createDistillationModifier, distillationPreset } from '@pofa/distill';
import type { EncoderModel } from '@pofa/models';
import { createSquadFeatures, type TokenizerLike } from '@pofa/tasks';
import { beforeAll, describe, expect, it } from 'vitest';
import { SQUAD_EXAMPLES, squadTestTokenizer, tinySpanModel } from './__fixtures__/squad-fixtures';
import { spanDistillationLogits, spanDistillationTeacher, spanTrainingLoss, squadTrainingData } from './span-training';
import { prepareSquadTokenizer } from './squad-tokenizer';

const windows = { maxLength: 16, docStride: 4 };
const trainingContext = { training: true as const, random: createRandom(0), step: 0 };

let tokenizer: TokenizerLike;
beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  tokenizer = await prepareSquadTokenizer(await squadTestTokenizer(), SQUAD_EXAMPLES);
});

/** −log softmax(row)[label], in plain numbers. */
function crossEntropy(row: number[], label: number): number {
  const max = Math.max(...row);
  return Math.log(row.reduce((sum, value) => sum + Math.exp(value - max), 0)) + max - row[label];
}

describe('squadTrainingData', () => {
  it('packs every window once, with the answer positions Hugging Face labels', () => {
    const data = squadTrainingData(SQUAD_EXAMPLES, tokenizer, windows);
    const features = createSquadFeatures(SQUAD_EXAMPLES, tokenizer, { maxSeqLength: 16, docStride: 4 });
    expect(data.size).toBe(7);
    expect(features).toHaveLength(7);
    const batch = data.batch([6, 5, 0]);
    expect(batch.inputIds.shape).toEqual([3, 16]);
    expect([batch.inputIds.dtype, batch.attentionMask.dtype, batch.tokenTypeIds.dtype, batch.startPositions.dtype]).toEqual(['int32', 'int32', 'int32', 'int32']);
    expect(batch.inputIds.arraySync()).toEqual([features[6].inputIds, features[5].inputIds, features[0].inputIds]);
    expect(batch.attentionMask.arraySync()).toEqual([features[6].attentionMask, features[5].attentionMask, features[0].attentionMask]);
    expect(batch.tokenTypeIds.arraySync()).toEqual([features[6].tokenTypeIds, features[5].tokenTypeIds, features[0].tokenTypeIds]);
    // Windows 4-6 are the long context's: only the middle one holds "Denver Broncos" (tokens 9 and 10).
    // Window 0 is "[CLS] who won ? [SEP] the denver broncos ...": the answer "The Denver Broncos" is tokens 5-7.
    expect(batch.startPositions.arraySync()).toEqual([0, 9, 5]);
    expect(batch.endPositions.arraySync()).toEqual([0, 10, 7]);
    tf.dispose(Object.values(batch));
  });

  it('finds windows across the chunks it builds them in', () => {
    // 150 copies of the 4 examples: 600 examples, built in chunks of 512 (windows 0-895 and 896-1049).
    const many = Array.from({ length: 150 }, (_, copy) => SQUAD_EXAMPLES.map((example) => ({ ...example, id: `${example.id}-${copy}` }))).flat();
    const data = squadTrainingData(many, tokenizer, windows);
    const features = createSquadFeatures(many, tokenizer, { maxSeqLength: 16, docStride: 4 });
    expect(data.size).toBe(features.length);
    const indices = [0, 895, 896, features.length - 1];
    const batch = data.batch(indices);
    expect(batch.inputIds.arraySync()).toEqual(indices.map((index) => features[index].inputIds));
    expect(batch.startPositions.arraySync()).toEqual(indices.map((index) => features[index].startPosition));
    tf.dispose(Object.values(batch));
  });
});

describe('spanTrainingLoss', () => {
  it('is the mean of the start and end cross-entropies of the model (computed independently)', () => {
    const model = tinySpanModel(2);
    const data = squadTrainingData(SQUAD_EXAMPLES, tokenizer, windows);
    const indices = [0, 1, 2, 3, 4, 5, 6];
    const batch = data.batch(indices);
    const loss = tf.tidy(() => spanTrainingLoss(model, batch, trainingContext).loss.dataSync()[0]);
    const outputs = model.forward({ inputIds: batch.inputIds, attentionMask: batch.attentionMask, tokenTypeIds: batch.tokenTypeIds });
    const starts = outputs.startLogits!.arraySync() as number[][];
    const ends = outputs.endLogits!.arraySync() as number[][];
    const startPositions = batch.startPositions.arraySync();
    const endPositions = batch.endPositions.arraySync();
    let expected = 0;
    indices.forEach((_, row) => (expected += (crossEntropy(starts[row], startPositions[row]) + crossEntropy(ends[row], endPositions[row])) / 2 / indices.length));
    expect(loss).toBeCloseTo(expected, 5);
    tf.dispose([...Object.values(batch), outputs.startLogits!, outputs.endLogits!, outputs.lastHidden, outputs.mask]);
    model.dispose();
  });
});

describe('span distillation', () => {
  /** A teacher whose span logits are fixed. */
  const fixedTeacher = (startLogits: number[][], endLogits: number[][], mask: number[][]): EncoderModel =>
    ({
      forward: () => ({ startLogits: tf.tensor2d(startLogits), endLogits: tf.tensor2d(endLogits), mask: tf.tensor2d(mask), hidden: [] }),
      eval: () => undefined,
      parameters: () => [],
    }) as unknown as EncoderModel;

  it('prune-ofa: KL at T = 2 over the positions, start and end apart, padding out (worked by hand)', () => {
    const mask = [[1, 1, 0]];
    // Start: teacher softmax([2 ln 3, 0] / 2) = [3/4, 1/4], student uniform: KL = 3/4 ln(3/2) + 1/4 ln(1/2).
    // End: both uniform over the two tokens once the padding (teacher logit 100) is out: KL = 0.
    const teacher = fixedTeacher([[2 * Math.log(3), 0, -4]], [[0, 0, 100]], mask);
    const modifier = createDistillationModifier({ teacher: spanDistillationTeacher(teacher), config: distillationPreset('prune-ofa') });
    const context = (outputs: unknown): LossContext => ({ model: undefined as never, step: 0, random: createRandom(0), log: () => {}, batch: {}, outputs });
    modifier.initialize(context({}));
    const studentStart = tf.tensor2d([[0, 0, 7]]);
    const studentEnd = tf.tensor2d([[0, 0, 3]]);
    const studentMask = tf.tensor2d(mask);
    const total = (start: tf.Tensor) => modifier.modifyLoss!(tf.scalar(1), context({ logits: spanDistillationLogits(start, studentEnd, studentMask), mask: studentMask }));
    const klStart = 0.75 * Math.log(1.5) + 0.25 * Math.log(0.5);
    // 0.5 · hard (1) + 0.5 · T² · mean over the start and end rows of KL.
    expect(total(studentStart).dataSync()[0]).toBeCloseTo(0.5 + 0.5 * 4 * ((klStart + 0) / 2), 5);
    // The padding position gets no gradient.
    const gradient = tf.grad((start: tf.Tensor) => total(start))(studentStart).arraySync() as number[][];
    expect(gradient[0][2]).toBe(0);
    expect(Math.abs(gradient[0][0])).toBeGreaterThan(0.01);
  });

  it('trains a span student from a span teacher with the Trainer, the loss finite and no tensor left behind', async () => {
    const student = tinySpanModel(3);
    const teacher = tinySpanModel(4);
    const data = squadTrainingData(SQUAD_EXAMPLES, tokenizer, windows);
    const train = async (): Promise<number[]> => {
      const modifier = createDistillationModifier({ teacher: spanDistillationTeacher(teacher), config: distillationPreset('prune-ofa') });
      const trainer = createTrainer({ model: student, data, loss: spanTrainingLoss, modifiers: [modifier], schedule: 0.01, maxSteps: 3, batchSize: 2, seed: 0, progress: false });
      const summary = await trainer.train();
      trainer.optimizer.dispose();
      return summary.history.map((entry) => entry.loss);
    };
    await train();
    const before = tf.memory().numTensors;
    const losses = await train();
    expect(tf.memory().numTensors).toBe(before);
    expect(losses).toHaveLength(3);
    expect(losses.every((loss) => Number.isFinite(loss) && loss > 0)).toBe(true);
    student.dispose();
    teacher.dispose();
  });
});
