// One masked-LM training step of a BERT (forward + backward + AdamW) on whatever tfjs backend
// is active, with synthetic token ids: the workload of the training-throughput benchmark.
import { createAdamW, createRandom, tf } from '@pofa/core';

/** The model shapes the benchmark runs (Turc et al.'s bert-mini, and bert-base). */
export const SHAPES = {
  'bert-mini': { preset: 'bert-mini', layers: 4, hidden: 256, heads: 4, intermediate: 1024 },
  'bert-base': { preset: 'bert-base-uncased', layers: 12, hidden: 768, heads: 12, intermediate: 3072 },
};

export const VOCAB = 30522;
export const MASK_ID = 103;
export const MASK_RATE = 0.15;

/** Token ids and labels (-100 where nothing is predicted), from a seeded generator. */
export function syntheticBatch(random, batch, seq) {
  const ids = [];
  const labels = [];
  for (let row = 0; row < batch; row++) {
    const rowIds = [];
    const rowLabels = [];
    for (let i = 0; i < seq; i++) {
      const token = 1000 + random.int(VOCAB - 1000);
      const masked = random.next() < MASK_RATE;
      rowIds.push(masked ? MASK_ID : token);
      rowLabels.push(masked ? token : -100);
    }
    ids.push(rowIds);
    labels.push(rowLabels);
  }
  return { ids, labels };
}

/**
 * A step function for `model` ('bert-mini' | 'bert-base') at `batch` × `seq`; `models` is the
 * `@pofa/models` module. Returns { step(): number (the loss), dispose() }.
 */
export function createBertStep(models, { model: name, batch, seq, seed = 0 }) {
  const config = models.presetConfig(SHAPES[name].preset, { vocab_size: VOCAB, max_position_embeddings: 512 });
  const model = new models.BertModel(config, { task: 'masked-lm', seed });
  const parameters = model.namedParameters().filter(([, parameter]) => parameter.trainable !== false);
  const variables = parameters.map(([, parameter]) => parameter.variable);
  const nameOf = new Map(parameters.map(([parameterName, parameter]) => [parameter.variable.name, parameterName]));
  const optimizer = createAdamW({ weightDecay: 0.01 });
  const random = createRandom(seed + 1);
  const data = syntheticBatch(random, batch, seq);
  return {
    step() {
      const labels = tf.tensor2d(data.labels, undefined, 'int32');
      const { value, grads } = tf.variableGrads(() => {
        const logits = model.forward({ inputIds: data.ids }, { training: true, random }).logits;
        return models.maskedLmLoss(logits, labels);
      }, variables);
      const byName = {};
      for (const [variableName, gradient] of Object.entries(grads)) byName[nameOf.get(variableName)] = gradient;
      optimizer.step(parameters, byName, 1e-4);
      const loss = value.dataSync()[0];
      tf.dispose([labels, value, ...Object.values(grads)]);
      return loss;
    },
    dispose() {
      optimizer.dispose();
      model.dispose();
    },
  };
}
