"""Plain-torch re-implementation of Hugging Face DistilBERT (modeling_distilbert.py, eval mode)."""
import math
import os

import torch

from parity_common import (ATTENTION_MASK, INPUT_IDS, OUT, Weights, activation, layer_norm, linear, merge_heads,
                           split_heads, write_checkpoint, write_expected)


def sinusoidal(positions, dim):
    table = torch.tensor([[pos / (10000 ** (2 * (j // 2) / dim)) for j in range(dim)] for pos in range(positions)])
    out = torch.zeros(positions, dim)
    out[:, 0::2] = torch.sin(table[:, 0::2])
    out[:, 1::2] = torch.cos(table[:, 1::2])
    return out


def distilbert_weights(config, seed, task):
    weights = Weights(seed)
    dim, hidden = config['dim'], config['hidden_dim']
    weights.normal('embeddings.word_embeddings.weight', (config['vocab_size'], dim))
    if config['sinusoidal_pos_embds']:
        weights.tensors['embeddings.position_embeddings.weight'] = sinusoidal(config['max_position_embeddings'], dim)
    else:
        weights.normal('embeddings.position_embeddings.weight', (config['max_position_embeddings'], dim))
    weights.layer_norm('embeddings.LayerNorm', dim)
    for i in range(config['n_layers']):
        prefix = 'transformer.layer.%d.' % i
        for part in ('q_lin', 'k_lin', 'v_lin', 'out_lin'):
            weights.linear(prefix + 'attention.' + part, dim, dim)
        weights.layer_norm(prefix + 'sa_layer_norm', dim)
        weights.linear(prefix + 'ffn.lin1', hidden, dim)
        weights.linear(prefix + 'ffn.lin2', dim, hidden)
        weights.layer_norm(prefix + 'output_layer_norm', dim)
    if task == 'masked-lm':
        weights.linear('vocab_transform', dim, dim)
        weights.layer_norm('vocab_layer_norm', dim)
        weights.normal('vocab_projector.bias', (config['vocab_size'],), std=0.1)
    if task == 'classification':
        weights.linear('pre_classifier', dim, dim)
        weights.linear('classifier', config.get('num_labels', 2), dim)
    if task == 'qa':
        weights.linear('qa_outputs', 2, dim)
    return weights


def distilbert_forward(config, weights, task):
    """Eval-mode forward of HF DistilBertModel and its heads (masked_fill attention mask)."""
    ids = torch.tensor(INPUT_IDS)
    mask = torch.tensor(ATTENTION_MASK)
    heads, dim = config['n_heads'], config['dim']
    head_size = dim // heads
    positions = torch.arange(ids.shape[1])
    x = weights.get('embeddings.word_embeddings.weight')[ids] + weights.get('embeddings.position_embeddings.weight')[positions]
    x = layer_norm(weights, 'embeddings.LayerNorm', x, 1e-12)
    hidden, probs_all = [x], []
    for i in range(config['n_layers']):
        prefix = 'transformer.layer.%d.' % i
        q = split_heads(linear(weights, prefix + 'attention.q_lin', x), heads) / math.sqrt(head_size)
        k = split_heads(linear(weights, prefix + 'attention.k_lin', x), heads)
        v = split_heads(linear(weights, prefix + 'attention.v_lin', x), heads)
        scores = q @ k.transpose(2, 3)
        masked = (mask == 0).view(mask.shape[0], 1, 1, mask.shape[1]).expand_as(scores)
        scores = scores.masked_fill(masked, torch.tensor(torch.finfo(scores.dtype).min))
        probs = torch.softmax(scores, dim=-1)
        attention = linear(weights, prefix + 'attention.out_lin', merge_heads(probs @ v))
        attention = layer_norm(weights, prefix + 'sa_layer_norm', attention + x, 1e-12)
        ffn = linear(weights, prefix + 'ffn.lin2', activation(config['activation'], linear(weights, prefix + 'ffn.lin1', attention)))
        x = layer_norm(weights, prefix + 'output_layer_norm', ffn + attention, 1e-12)
        hidden.append(x)
        probs_all.append(probs)
    out = {'hidden': hidden, 'attentionProbs': probs_all}
    if task == 'masked-lm':
        transformed = activation(config['activation'], linear(weights, 'vocab_transform', x))
        transformed = layer_norm(weights, 'vocab_layer_norm', transformed, 1e-12)
        out['logits'] = transformed @ weights.get('embeddings.word_embeddings.weight').T + weights.get('vocab_projector.bias')
    if task == 'classification':
        out['logits'] = linear(weights, 'classifier', torch.relu(linear(weights, 'pre_classifier', x[:, 0])))
    if task == 'qa':
        logits = linear(weights, 'qa_outputs', x)
        out['startLogits'], out['endLogits'] = logits[..., 0], logits[..., 1]
    return out


def distilbert_config(architecture, **overrides):
    config = {
        'architectures': [architecture], 'model_type': 'distilbert', 'vocab_size': 99, 'dim': 32, 'n_layers': 2,
        'n_heads': 4, 'hidden_dim': 37, 'activation': 'gelu', 'dropout': 0.1, 'attention_dropout': 0.1,
        'max_position_embeddings': 16, 'sinusoidal_pos_embds': False, 'qa_dropout': 0.1, 'seq_classif_dropout': 0.2,
        'initializer_range': 0.02, 'pad_token_id': 0, 'tie_weights_': True, 'transformers_version': '4.40.0',
    }
    config.update(overrides)
    return config


def make_distilbert():
    def with_prefix(tensors):
        return {('distilbert.' + name if name.startswith(('embeddings.', 'transformer.')) else name): value
                for name, value in tensors.items()}

    config = distilbert_config('DistilBertForMaskedLM', n_layers=3)
    weights = distilbert_weights(config, 11, 'masked-lm')
    directory = os.path.join(OUT, 'distilbert-masked-lm')
    write_checkpoint(directory, config, with_prefix(weights.tensors))
    write_expected(directory, distilbert_forward(config, weights, 'masked-lm'))

    config = distilbert_config('DistilBertForSequenceClassification', sinusoidal_pos_embds=True, activation='gelu_new')
    weights = distilbert_weights(config, 12, 'classification')
    directory = os.path.join(OUT, 'distilbert-classification')
    write_checkpoint(directory, config, with_prefix(weights.tensors))
    write_expected(directory, distilbert_forward(config, weights, 'classification'))

    config = distilbert_config('DistilBertForQuestionAnswering')
    weights = distilbert_weights(config, 13, 'qa')
    directory = os.path.join(OUT, 'distilbert-qa')
    write_checkpoint(directory, config, with_prefix(weights.tensors))
    write_expected(directory, distilbert_forward(config, weights, 'qa'))
