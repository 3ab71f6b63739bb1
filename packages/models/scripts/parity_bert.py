"""Plain-torch re-implementation of Hugging Face BERT (modeling_bert.py, eager attention, eval mode)."""
import math
import os

import torch

from parity_common import (ATTENTION_MASK, FLOAT32_MIN, INPUT_IDS, OUT, TOKEN_TYPE_IDS, Weights, activation,
                           layer_norm, linear, merge_heads, split_heads, write_checkpoint, write_expected)


def bert_weights(config, seed, task, pretraining=False):
    weights = Weights(seed)
    hidden, inter = config['hidden_size'], config['intermediate_size']
    weights.normal('embeddings.word_embeddings.weight', (config['vocab_size'], hidden))
    weights.normal('embeddings.position_embeddings.weight', (config['max_position_embeddings'], hidden))
    weights.normal('embeddings.token_type_embeddings.weight', (config['type_vocab_size'], hidden))
    weights.layer_norm('embeddings.LayerNorm', hidden)
    for i in range(config['num_hidden_layers']):
        prefix = 'encoder.layer.%d.' % i
        for part in ('query', 'key', 'value'):
            weights.linear(prefix + 'attention.self.' + part, hidden, hidden)
        weights.linear(prefix + 'attention.output.dense', hidden, hidden)
        weights.layer_norm(prefix + 'attention.output.LayerNorm', hidden)
        weights.linear(prefix + 'intermediate.dense', inter, hidden)
        weights.linear(prefix + 'output.dense', hidden, inter)
        weights.layer_norm(prefix + 'output.LayerNorm', hidden)
    if task in ('base', 'classification') or pretraining:
        weights.linear('pooler.dense', hidden, hidden)
    if task == 'masked-lm':
        weights.linear('cls.predictions.transform.dense', hidden, hidden)
        weights.layer_norm('cls.predictions.transform.LayerNorm', hidden)
        weights.normal('cls.predictions.bias', (config['vocab_size'],), std=0.1)
        if pretraining:
            weights.linear('cls.seq_relationship', 2, hidden)
    if task == 'classification':
        weights.linear('classifier', config['num_labels'], hidden)
    if task == 'qa':
        weights.linear('qa_outputs', 2, hidden)
    return weights


def bert_forward(config, weights, task):
    """Eval-mode forward of HF BertModel and its heads; dropout is the identity."""
    ids = torch.tensor(INPUT_IDS)
    types = torch.tensor(TOKEN_TYPE_IDS)
    mask = torch.tensor(ATTENTION_MASK, dtype=torch.float64)
    eps = config['layer_norm_eps']
    heads = config['num_attention_heads']
    head_size = config['hidden_size'] // heads
    positions = torch.arange(ids.shape[1])
    x = (weights.get('embeddings.word_embeddings.weight')[ids]
         + weights.get('embeddings.token_type_embeddings.weight')[types]
         + weights.get('embeddings.position_embeddings.weight')[positions])
    x = layer_norm(weights, 'embeddings.LayerNorm', x, eps)
    extended = (1.0 - mask[:, None, None, :]) * FLOAT32_MIN  # get_extended_attention_mask
    hidden, scores_all, probs_all, values_all = [x], [], [], []
    for i in range(config['num_hidden_layers']):
        prefix = 'encoder.layer.%d.' % i
        q = split_heads(linear(weights, prefix + 'attention.self.query', x), heads)
        k = split_heads(linear(weights, prefix + 'attention.self.key', x), heads)
        v = split_heads(linear(weights, prefix + 'attention.self.value', x), heads)
        scores = q @ k.transpose(-1, -2) / math.sqrt(head_size) + extended
        probs = torch.softmax(scores, dim=-1)
        context = merge_heads(probs @ v)
        attention = layer_norm(weights, prefix + 'attention.output.LayerNorm',
                               linear(weights, prefix + 'attention.output.dense', context) + x, eps)
        inter = activation(config['hidden_act'], linear(weights, prefix + 'intermediate.dense', attention))
        x = layer_norm(weights, prefix + 'output.LayerNorm', linear(weights, prefix + 'output.dense', inter) + attention, eps)
        hidden.append(x)
        scores_all.append(scores)
        probs_all.append(probs)
        values_all.append(v)
    out = {'hidden': hidden, 'attentionProbs': probs_all}
    if 'pooler.dense.weight' in weights.tensors:
        out['pooled'] = torch.tanh(linear(weights, 'pooler.dense', x[:, 0]))
    if task == 'masked-lm':
        transformed = activation(config['hidden_act'], linear(weights, 'cls.predictions.transform.dense', x))
        transformed = layer_norm(weights, 'cls.predictions.transform.LayerNorm', transformed, eps)
        out['logits'] = transformed @ weights.get('embeddings.word_embeddings.weight').T + weights.get('cls.predictions.bias')
        out['attentionScores'] = scores_all
        out['values'] = values_all
    if task == 'classification':
        out['logits'] = linear(weights, 'classifier', out['pooled'])
    if task == 'qa':
        logits = linear(weights, 'qa_outputs', x)
        out['startLogits'], out['endLogits'] = logits[..., 0], logits[..., 1]
    return out


def bert_config(architecture, **overrides):
    config = {
        'architectures': [architecture], 'model_type': 'bert', 'vocab_size': 99, 'hidden_size': 32,
        'num_hidden_layers': 2, 'num_attention_heads': 4, 'intermediate_size': 37, 'hidden_act': 'gelu',
        'hidden_dropout_prob': 0.1, 'attention_probs_dropout_prob': 0.1, 'max_position_embeddings': 16,
        'type_vocab_size': 2, 'initializer_range': 0.02, 'layer_norm_eps': 1e-12, 'pad_token_id': 0,
        'position_embedding_type': 'absolute', 'torch_dtype': 'float32', 'transformers_version': '4.40.0',
    }
    config.update(overrides)
    return config


def hf_names(tensors, prefix, base_keys=('embeddings.', 'encoder.', 'pooler.')):
    return {(prefix + name if name.startswith(base_keys) else name): value for name, value in tensors.items()}


def make_bert():
    # Masked LM, three layers, legacy LayerNorm.gamma/beta names, tied decoder weight and bias stored.
    config = bert_config('BertForMaskedLM', num_hidden_layers=3)
    weights = bert_weights(config, 1, 'masked-lm')
    tensors = hf_names(weights.tensors, 'bert.')
    tensors = {name.replace('LayerNorm.weight', 'LayerNorm.gamma').replace('LayerNorm.bias', 'LayerNorm.beta'): value
               for name, value in tensors.items()}
    tensors['cls.predictions.decoder.weight'] = weights.tensors['embeddings.word_embeddings.weight']
    tensors['cls.predictions.decoder.bias'] = weights.tensors['cls.predictions.bias']
    directory = os.path.join(OUT, 'bert-masked-lm')
    write_checkpoint(directory, config, tensors)
    write_expected(directory, bert_forward(config, weights, 'masked-lm'))

    # Pre-training checkpoint (MLM + NSP), sharded, tied decoder weight absent as safetensors saves it.
    config = bert_config('BertForPreTraining')
    weights = bert_weights(config, 2, 'masked-lm', pretraining=True)
    directory = os.path.join(OUT, 'bert-pretraining')
    write_checkpoint(directory, config, hf_names(weights.tensors, 'bert.'), shards=2)
    write_expected(directory, bert_forward(config, weights, 'masked-lm'))

    # Sequence classification with three labels and the tanh GELU.
    config = bert_config('BertForSequenceClassification', hidden_act='gelu_new',
                         id2label={'0': 'negative', '1': 'neutral', '2': 'positive'},
                         label2id={'negative': 0, 'neutral': 1, 'positive': 2})
    weights = bert_weights(config | {'num_labels': 3}, 3, 'classification')
    directory = os.path.join(OUT, 'bert-classification')
    write_checkpoint(directory, config, hf_names(weights.tensors, 'bert.'))
    write_expected(directory, bert_forward(config, weights, 'classification'))

    # Span QA.
    config = bert_config('BertForQuestionAnswering')
    weights = bert_weights(config, 4, 'qa')
    directory = os.path.join(OUT, 'bert-qa')
    write_checkpoint(directory, config, hf_names(weights.tensors, 'bert.'))
    write_expected(directory, bert_forward(config, weights, 'qa'))

    # Bare BertModel: names without any prefix.
    config = bert_config('BertModel')
    weights = bert_weights(config, 5, 'base')
    directory = os.path.join(OUT, 'bert-base')
    write_checkpoint(directory, config, dict(weights.tensors))
    write_expected(directory, bert_forward(config, weights, 'base'))
