import { createAdamW, createRandom, createTrainer, tf, type Modifier, type ModifierContext, type TrainerOptions } from '@pofa/core';
import { BertModel, IGNORE_INDEX, maskedLmLoss } from '@pofa/models';

export const TINY_BERT = { vocab_size: 24, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 32, max_position_embeddings: 8 };

/** A tiny masked LM over fixed random sentences (about 25% of tokens masked per draw). */
export function tinyMaskedLm(seed = 1): { model: BertModel; data: TrainerOptions<BertModel, MlmBatch>['data']; loss: TrainerOptions<BertModel, MlmBatch>['loss'] } {
  const model = new BertModel(TINY_BERT, { task: 'masked-lm', seed });
  const random = createRandom(seed + 100);
  const sentences = Array.from({ length: 8 }, () => Array.from({ length: 8 }, () => 2 + random.int(22)));
  const data = {
    size: 32,
    batch: (indices: number[]): MlmBatch => {
      const ids: number[][] = [];
      const labels: number[][] = [];
      for (const index of indices) {
        const tokens = sentences[index % sentences.length];
        const masked = tokens.map((token, i) => ((i + index) % 4 === 0 ? 1 : token));
        ids.push(masked);
        labels.push(tokens.map((token, i) => (masked[i] === 1 ? token : IGNORE_INDEX)));
      }
      return { ids, labels };
    },
  };
  const loss: TrainerOptions<BertModel, MlmBatch>['loss'] = (bert, batch, context) => {
    const labels = tf.tensor2d(batch.labels, undefined, 'int32');
    const logits = bert.forward({ inputIds: batch.ids }, { training: true, random: context.random }).logits!;
    return { loss: maskedLmLoss(logits, labels) };
  };
  return { model, data, loss };
}

export interface MlmBatch {
  ids: number[][];
  labels: number[][];
}

/** A modifier that calls `probe` at every update (after the modifiers listed before it). */
export function probeModifier(probe: (context: ModifierContext) => void): Modifier {
  return { specificationVersion: 'v1', kind: 'test/probe', initialize: () => {}, update: probe, finalize: () => {} };
}

/** Trains the tiny masked LM with these modifiers (no progress output). */
export async function trainTiny(modifiers: Modifier[], settings: { maxSteps: number; seed?: number; learningRate?: number; weightDecay?: number; model?: BertModel; checkpoint?: { dir: string; every: number }; resume?: boolean }) {
  const tiny = tinyMaskedLm(settings.seed ?? 1);
  const model = settings.model ?? tiny.model;
  if (model !== tiny.model) tiny.model.dispose();
  const trainer = createTrainer({
    model,
    data: tiny.data,
    loss: tiny.loss,
    modifiers,
    maxSteps: settings.maxSteps,
    batchSize: 4,
    schedule: settings.learningRate ?? 1e-2,
    optimizer: createAdamW({ weightDecay: settings.weightDecay ?? 0.01 }),
    progress: false,
    checkpoint: settings.checkpoint,
    resume: settings.resume ?? false,
    seed: settings.seed ?? 1,
  });
  const summary = await trainer.train();
  return { model, summary };
}
