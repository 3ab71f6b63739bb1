import { ConfigError, Dropout, Linear, Module, tf } from '@pofa/core';
import { additiveAttentionMask } from '../attention';
import { createBertConfig, type BertConfig, type BertConfigInput } from '../config/bert-config';
import type { ForwardOptions, ModelInputs, ModelOutputs, TaskName } from '../features';
import { BertMaskedLMHead } from '../heads/bert-heads';
import { splitSpanLogits } from '../heads/tied-projection';
import { resolveModelOptions, withLabelCount, type ModelOptions } from '../model-options';
import { runEncoderLayers } from '../encoder-stack';
import { checkInputs } from '../validate-inputs';
import { BertEmbeddings } from './bert-embeddings';
import { BertEncoder, BertPooler } from './bert-layer';

/**
 * BERT exactly as Hugging Face's `BertModel` (post-LN), with an optional head: masked LM
 * (`cls.predictions`, decoder tied to the word embeddings), sequence classification or
 * regression (`classifier` on the pooled [CLS]; regression when `num_labels` is 1), or span
 * QA (`qa_outputs`). Parameter names are Hugging Face's without the `bert.` prefix, e.g.
 * `encoder.layer.0.attention.self.query.weight`. A new model is in training mode (dropout
 * on), as in PyTorch; call `eval()` for inference.
 *
 * @example
 * ```ts
 * const model = new BertModel(presetConfig('bert-tiny') as BertConfig, { task: 'masked-lm' }).eval();
 * const outputs = model.forward({ inputIds: [[101, 2023, 102]] }, { features: { hidden: true } });
 * console.log(outputs.logits!.shape, outputs.hidden.length); // [1, 3, 30522] 3
 * ```
 */
export class BertModel extends Module {
  readonly family = 'bert' as const;
  readonly config: BertConfig;
  readonly task: TaskName;
  readonly embeddings: BertEmbeddings;
  readonly encoder: BertEncoder;
  readonly pooler?: BertPooler;
  readonly cls?: BertMaskedLMHead;
  readonly classifier?: Linear;
  readonly qa_outputs?: Linear;
  private readonly headDropout?: Dropout;

  constructor(config: BertConfig | BertConfigInput, options: ModelOptions = {}) {
    super();
    const base = createBertConfig(config);
    const resolved = resolveModelOptions(options, base.initializer_range);
    this.config = withLabelCount(base, resolved.numLabels);
    this.task = resolved.task;
    const { init } = resolved;
    const withPooler = resolved.pooler ?? (this.task === 'base' || this.task === 'sequence-classification');
    this.embeddings = this.addModule('embeddings', new BertEmbeddings(this.config, init));
    this.encoder = this.addModule('encoder', new BertEncoder(this.config, init));
    if (withPooler) this.pooler = this.addModule('pooler', new BertPooler(this.config, init));
    if (this.task === 'masked-lm') this.cls = this.addModule('cls', new BertMaskedLMHead(this.config, init));
    if (this.task === 'sequence-classification') {
      if (this.pooler === undefined) {
        throw new ConfigError('Sequence classification needs the pooler', { expected: 'pooler: true or unset', received: 'pooler: false' });
      }
      this.headDropout = this.addModule('dropout', new Dropout(this.config.classifier_dropout ?? this.config.hidden_dropout_prob));
      this.classifier = this.addModule('classifier', new Linear(this.config.hidden_size, this.config.num_labels, init));
    }
    if (this.task === 'question-answering') this.qa_outputs = this.addModule('qa_outputs', new Linear(this.config.hidden_size, 2, init));
  }

  /** Number of transformer layers. */
  get numLayers(): number {
    return this.config.num_hidden_layers;
  }

  /** Width of the hidden states. */
  get hiddenSize(): number {
    return this.config.hidden_size;
  }

  /** Attention heads per layer. */
  get numHeads(): number {
    return this.config.num_attention_heads;
  }

  /** Runs the model; the caller owns the returned tensors (see {@link ModelOutputs}). */
  forward(inputs: ModelInputs, options: ForwardOptions = {}): ModelOutputs {
    return tf.tidy(() => {
      const context = { training: options.training ?? this.training, random: options.random };
      const features = options.features ?? {};
      const checked = checkInputs(inputs, {
        vocabSize: this.config.vocab_size,
        maxPositions: this.config.max_position_embeddings,
        typeVocabSize: this.config.type_vocab_size,
      });
      const additiveMask = additiveAttentionMask(checked.mask);
      const embedded = this.embeddings.forward(checked.inputIds, checked.tokenTypeIds, context);
      const outputs: ModelOutputs = { lastHidden: embedded, mask: checked.mask, hidden: [], attentionScores: [], attentionProbs: [], values: [] };
      const hidden = runEncoderLayers(this.encoder.layer.items, embedded, additiveMask, context, features, outputs);
      if (this.pooler !== undefined) outputs.pooled = this.pooler.forward(hidden);
      if (this.cls !== undefined) outputs.logits = this.cls.forward(hidden, this.embeddings.word_embeddings.weight);
      if (this.classifier !== undefined && this.headDropout !== undefined && outputs.pooled !== undefined) {
        outputs.logits = this.classifier.forward(this.headDropout.forward(outputs.pooled, context));
      }
      if (this.qa_outputs !== undefined) Object.assign(outputs, splitSpanLogits(this.qa_outputs.forward(hidden)));
      return outputs as unknown as tf.TensorContainer;
    }) as unknown as ModelOutputs;
  }
}
