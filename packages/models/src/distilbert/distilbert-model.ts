import { ACTIVATIONS, Dropout, LayerNorm, Linear, Module, tf } from '@pofa/core';
import { additiveAttentionMask } from '../attention';
import { createDistilBertConfig, type DistilBertConfig, type DistilBertConfigInput } from '../config/distilbert-config';
import type { ForwardOptions, ModelInputs, ModelOutputs, TaskName } from '../features';
import { splitSpanLogits, TiedProjection } from '../heads/tied-projection';
import { resolveModelOptions, withLabelCount, type ModelOptions } from '../model-options';
import { runEncoderLayers } from '../encoder-stack';
import { checkInputs } from '../validate-inputs';
import { DistilBertEmbeddings } from './distilbert-embeddings';
import { DistilBertTransformer } from './distilbert-layer';

/**
 * DistilBERT exactly as Hugging Face's `DistilBertModel`, with an optional head: masked LM
 * (`vocab_transform`, `vocab_layer_norm`, `vocab_projector` tied to the word embeddings),
 * sequence classification (`pre_classifier` + ReLU + dropout + `classifier` on the first
 * token) or span QA (dropout + `qa_outputs`). Parameter names are Hugging Face's without
 * the `distilbert.` prefix. Token type ids are ignored (DistilBERT has no segments). A new
 * model is in training mode; call `eval()` for inference.
 *
 * @example
 * ```ts
 * const model = new DistilBertModel(presetConfig('distilbert-base-uncased') as DistilBertConfig, { task: 'sequence-classification', numLabels: 3 }).eval();
 * const { logits } = model.forward({ inputIds: [[101, 2023, 102]] }); // [1, 3]
 * ```
 */
export class DistilBertModel extends Module {
  readonly family = 'distilbert' as const;
  readonly config: DistilBertConfig;
  readonly task: TaskName;
  readonly embeddings: DistilBertEmbeddings;
  readonly transformer: DistilBertTransformer;
  readonly vocab_transform?: Linear;
  readonly vocab_layer_norm?: LayerNorm;
  readonly vocab_projector?: TiedProjection;
  readonly pre_classifier?: Linear;
  readonly classifier?: Linear;
  readonly qa_outputs?: Linear;
  private readonly headDropout?: Dropout;

  constructor(config: DistilBertConfig | DistilBertConfigInput, options: ModelOptions = {}) {
    super();
    const base = createDistilBertConfig(config);
    const resolved = resolveModelOptions(options, base.initializer_range);
    this.config = withLabelCount(base, resolved.numLabels);
    this.task = resolved.task;
    const { init } = resolved;
    const { dim } = this.config;
    this.embeddings = this.addModule('embeddings', new DistilBertEmbeddings(this.config, init));
    this.transformer = this.addModule('transformer', new DistilBertTransformer(this.config, init));
    if (this.task === 'masked-lm') {
      this.vocab_transform = this.addModule('vocab_transform', new Linear(dim, dim, init));
      this.vocab_layer_norm = this.addModule('vocab_layer_norm', new LayerNorm(dim, 1e-12));
      this.vocab_projector = this.addModule('vocab_projector', new TiedProjection(this.config.vocab_size));
    }
    if (this.task === 'sequence-classification') {
      this.pre_classifier = this.addModule('pre_classifier', new Linear(dim, dim, init));
      this.headDropout = this.addModule('dropout', new Dropout(this.config.seq_classif_dropout));
      this.classifier = this.addModule('classifier', new Linear(dim, this.config.num_labels, init));
    }
    if (this.task === 'question-answering') {
      this.headDropout = this.addModule('dropout', new Dropout(this.config.qa_dropout));
      this.qa_outputs = this.addModule('qa_outputs', new Linear(dim, 2, init));
    }
  }

  /** Number of transformer layers. */
  get numLayers(): number {
    return this.config.n_layers;
  }

  /** Width of the hidden states. */
  get hiddenSize(): number {
    return this.config.dim;
  }

  /** Attention heads per layer. */
  get numHeads(): number {
    return this.config.n_heads;
  }

  /** Runs the model; the caller owns the returned tensors (see {@link ModelOutputs}). */
  forward(inputs: ModelInputs, options: ForwardOptions = {}): ModelOutputs {
    return tf.tidy(() => {
      const context = { training: options.training ?? this.training, random: options.random };
      const features = options.features ?? {};
      const checked = checkInputs(inputs, {
        vocabSize: this.config.vocab_size,
        maxPositions: this.config.max_position_embeddings,
        typeVocabSize: 0,
      });
      const additiveMask = additiveAttentionMask(checked.mask);
      const embedded = this.embeddings.forward(checked.inputIds, context);
      const outputs: ModelOutputs = { lastHidden: embedded, mask: checked.mask, hidden: [], attentionScores: [], attentionProbs: [], values: [] };
      const hidden = runEncoderLayers(this.transformer.layer.items, embedded, additiveMask, context, features, outputs);
      if (this.vocab_transform !== undefined && this.vocab_layer_norm !== undefined && this.vocab_projector !== undefined) {
        const transformed = this.vocab_layer_norm.forward(ACTIVATIONS[this.config.activation](this.vocab_transform.forward(hidden)));
        outputs.logits = this.vocab_projector.forward(transformed, this.embeddings.word_embeddings.weight);
      }
      if (this.pre_classifier !== undefined && this.classifier !== undefined && this.headDropout !== undefined) {
        const [batch, , width] = hidden.shape;
        const first = tf.reshape(tf.slice(hidden, [0, 0, 0], [batch, 1, width]), [batch, width]);
        const pooled = tf.relu(this.pre_classifier.forward(first));
        outputs.logits = this.classifier.forward(this.headDropout.forward(pooled, context));
      }
      if (this.qa_outputs !== undefined && this.headDropout !== undefined) {
        Object.assign(outputs, splitSpanLogits(this.qa_outputs.forward(this.headDropout.forward(hidden, context))));
      }
      return outputs as unknown as tf.TensorContainer;
    }) as unknown as ModelOutputs;
  }
}
