#!/usr/bin/env python3
"""PyTorch reference of the training-throughput benchmark: the same BERT masked-LM step
(post-LN BERT as Hugging Face's BertForMaskedLM, exact GELU, dropout 0.1, tied decoder,
cross-entropy over the 15% masked positions, AdamW) in plain torch, without `transformers`.

Usage: /usr/bin/python3 pytorch.py --model bert-mini --batch 32 --seq 128 --threads 2 --steps 3 --warmup 1
Prints one JSON row { engine, model, batch, seq, threads, tokensPerSecond, secondsPerStep }.
"""
import argparse
import json
import math
import time

import torch
from torch import nn

SHAPES = {
    'bert-mini': dict(layers=4, hidden=256, heads=4, intermediate=1024),
    'bert-base': dict(layers=12, hidden=768, heads=12, intermediate=3072),
}
VOCAB = 30522
MASK_ID = 103
MASK_RATE = 0.15


class Layer(nn.Module):
    def __init__(self, hidden, heads, intermediate):
        super().__init__()
        self.heads = heads
        self.query, self.key, self.value = (nn.Linear(hidden, hidden) for _ in range(3))
        self.attention_output = nn.Linear(hidden, hidden)
        self.attention_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.intermediate = nn.Linear(hidden, intermediate)
        self.output = nn.Linear(intermediate, hidden)
        self.output_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.dropout = nn.Dropout(0.1)

    def forward(self, x, mask):
        batch, seq, width = x.shape
        split = lambda t: t.view(batch, seq, self.heads, width // self.heads).transpose(1, 2)
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(width // self.heads) + mask
        context = (self.dropout(scores.softmax(-1)) @ v).transpose(1, 2).reshape(batch, seq, width)
        x = self.attention_norm(x + self.dropout(self.attention_output(context)))
        hidden = nn.functional.gelu(self.intermediate(x))
        return self.output_norm(x + self.dropout(self.output(hidden)))


class BertForMaskedLM(nn.Module):
    def __init__(self, layers, hidden, heads, intermediate):
        super().__init__()
        self.word = nn.Embedding(VOCAB, hidden)
        self.position = nn.Embedding(512, hidden)
        self.token_type = nn.Embedding(2, hidden)
        self.embedding_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.dropout = nn.Dropout(0.1)
        self.layers = nn.ModuleList(Layer(hidden, heads, intermediate) for _ in range(layers))
        self.transform = nn.Linear(hidden, hidden)
        self.transform_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.decoder_bias = nn.Parameter(torch.zeros(VOCAB))

    def forward(self, ids):
        batch, seq = ids.shape
        positions = torch.arange(seq).unsqueeze(0)
        x = self.word(ids) + self.position(positions) + self.token_type(torch.zeros_like(ids))
        x = self.dropout(self.embedding_norm(x))
        mask = torch.zeros(batch, 1, 1, seq)  # every token attends, as in the tfjs run
        for layer in self.layers:
            x = layer(x, mask)
        x = self.transform_norm(nn.functional.gelu(self.transform(x)))
        return x @ self.word.weight.t() + self.decoder_bias


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--model', default='bert-mini', choices=SHAPES)
    parser.add_argument('--batch', type=int, default=32)
    parser.add_argument('--seq', type=int, default=128)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--steps', type=int, default=3)
    parser.add_argument('--warmup', type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = BertForMaskedLM(**SHAPES[args.model]).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01)
    tokens = torch.randint(1000, VOCAB, (args.batch, args.seq))
    masked = torch.rand(args.batch, args.seq) < MASK_RATE
    ids = torch.where(masked, torch.full_like(tokens, MASK_ID), tokens)
    labels = torch.where(masked, tokens, torch.full_like(tokens, -100))
    loss_function = nn.CrossEntropyLoss(ignore_index=-100)

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = loss_function(model(ids).view(-1, VOCAB), labels.view(-1))
        loss.backward()
        optimizer.step()
        return loss.item()

    for _ in range(args.warmup):
        step()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    seconds = (time.perf_counter() - start) / args.steps
    print(json.dumps({'engine': 'pytorch', 'model': args.model, 'batch': args.batch, 'seq': args.seq, 'threads': args.threads,
                      'tokensPerSecond': args.batch * args.seq / seconds, 'secondsPerStep': seconds}))


if __name__ == '__main__':
    main()
