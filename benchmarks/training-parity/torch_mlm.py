"""PyTorch side of benchmarks/training-parity: a BERT masked-LM model written with torch.nn (the
layout of Hugging Face's BertForMaskedLM: post-LayerNorm layers, GELU (erf), a dense + GELU +
LayerNorm prediction transform, a decoder tied to the word embeddings with its own bias), trained
on the batches that run.mjs wrote, with the optimizer, schedule and clipping of pofa's Trainer.

    python3 torch_mlm.py DIR      # prints a JSON object {curve, final, seconds, torch} to stdout
"""
import json
import math
import os
import sys
import time

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F


class Layer(nn.Module):
    def __init__(self, hidden, heads, intermediate, dropout):
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)
        self.attention_output = nn.Linear(hidden, hidden)
        self.attention_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.intermediate = nn.Linear(hidden, intermediate)
        self.output = nn.Linear(intermediate, hidden)
        self.output_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, additive_mask):
        batch, length, hidden = x.shape
        size = hidden // self.heads

        def split(t):
            return t.view(batch, length, self.heads, size).transpose(1, 2)

        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(size) + additive_mask
        probs = self.dropout(torch.softmax(scores, dim=-1))
        context = (probs @ v).transpose(1, 2).reshape(batch, length, hidden)
        x = self.attention_norm(x + self.dropout(self.attention_output(context)))
        inner = F.gelu(self.intermediate(x))
        return self.output_norm(x + self.dropout(self.output(inner)))


class MaskedLm(nn.Module):
    def __init__(self, vocab, max_length, layers, hidden, heads, dropout=0.1):
        super().__init__()
        self.words = nn.Embedding(vocab, hidden)
        self.positions = nn.Embedding(max_length, hidden)
        self.types = nn.Embedding(2, hidden)
        self.embedding_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.dropout = nn.Dropout(dropout)
        self.layers = nn.ModuleList([Layer(hidden, heads, 4 * hidden, dropout) for _ in range(layers)])
        self.transform = nn.Linear(hidden, hidden)
        self.transform_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.decoder_bias = nn.Parameter(torch.zeros(vocab))
        for module in self.modules():
            # Hugging Face's _init_weights: N(0, 0.02) weights, zero biases, LayerNorm 1 / 0.
            if isinstance(module, (nn.Linear, nn.Embedding)):
                nn.init.normal_(module.weight, std=0.02)
            if isinstance(module, nn.Linear):
                nn.init.zeros_(module.bias)

    def forward(self, ids, mask):
        length = ids.shape[1]
        x = self.words(ids) + self.positions(torch.arange(length)) + self.types(torch.zeros_like(ids))
        x = self.dropout(self.embedding_norm(x))
        additive = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        for layer in self.layers:
            x = layer(x, additive)
        x = self.transform_norm(F.gelu(self.transform(x)))
        return x @ self.words.weight.t() + self.decoder_bias


def batches(directory, name, shapes):
    data = np.fromfile(os.path.join(directory, name + '.bin'), dtype=np.int32)
    offset = 0
    for rows, length in shapes:
        size = rows * length
        parts = []
        for _ in range(3):
            parts.append(torch.from_numpy(data[offset:offset + size].reshape(rows, length).astype(np.int64)))
            offset += size
        yield parts


def validation_loss(model, directory, shapes):
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for ids, mask, labels in batches(directory, 'validation', shapes):
            logits = model(ids, mask)
            total += F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=-100).item()
            count += 1
    model.train()
    return total / count


def main(directory):
    meta = json.load(open(os.path.join(directory, 'meta.json')))
    spec, steps, every, rate = meta['model'], meta['steps'], meta['evalEvery'], meta['rate']
    torch.manual_seed(1)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    model = MaskedLm(spec['vocab'], spec['maxLength'], spec['layers'], spec['hidden'], spec['heads'])
    decay = [p for n, p in model.named_parameters() if not (n.endswith('bias') or 'norm' in n)]
    no_decay = [p for n, p in model.named_parameters() if n.endswith('bias') or 'norm' in n]
    optimizer = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.01}, {'params': no_decay, 'weight_decay': 0.0}], lr=rate)
    warmup = math.ceil(steps / 10)

    def factor(step):  # pofa's createLinearWarmupSchedule at the 0-based step of the update
        return step / max(1, warmup) if step < warmup else max(0.0, (steps - step) / max(1, steps - warmup))

    curve = []
    started = time.time()
    model.train()
    for step, (ids, mask, labels) in enumerate(batches(directory, 'train', meta['trainShapes'])):
        for group in optimizer.param_groups:
            group['lr'] = rate * factor(step)
        logits = model(ids, mask)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=-100)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        if (step + 1) % every == 0 or step + 1 == steps:
            curve.append(validation_loss(model, directory, meta['validationShapes']))
            print('torch step %d validation loss %.3f' % (step + 1, curve[-1]), file=sys.stderr)
    seconds = time.time() - started
    print(json.dumps({'curve': curve, 'final': curve[-1], 'seconds': seconds, 'torch': torch.__version__, 'threads': torch.get_num_threads()}))


if __name__ == '__main__':
    main(sys.argv[1])
