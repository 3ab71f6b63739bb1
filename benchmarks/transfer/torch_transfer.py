"""PyTorch side of benchmarks/transfer: the sparse transfer step of `pofa transfer` in plain torch
(Debian's python3-torch, no `transformers`): BERT for sequence classification (the post-LN layer of
training-parity/torch_mlm.py, pooler tanh(dense(h[CLS])), dropout, classifier), read from the same
safetensors checkpoint, with

- pattern lock: every encoder Linear multiplies its weight by a fixed 0/1 mask (the checkpoint's
  non-zeros) in forward, as pofa's mask transform does; the gradient of a pruned weight is then
  exactly zero, so AdamW (decay included) leaves it at exactly zero;
- a dense teacher (eval mode, no grad) distilled: 0 · cross-entropy + T² · KL(teacher_T ‖ student_T), T = 2;
- QAT as @pofa/quant's: encoder Linear weights fake-quantized per tensor to symmetric int8 [-127,
  127] after the mask, their inputs to uint8 with an EMA min/max observer (constant 0.01, the first
  batch as is) frozen after half the steps; straight-through gradients inside the range;
- AdamW (torch defaults, weight decay 0.01 off biases and LayerNorms), 10% linear warmup from 0 then
  linear decay, global-norm clipping at 1, on the batches run.mjs wrote; a batch runs as passes of
  --micro examples whose gradients accumulate (the mean over the batch), as pofa's Trainer does.

    python3 torch_transfer.py --student DIR --batches FILE --batch 8 [--micro 8] --steps 6 --config lock|teacher|qat [--teacher DIR] [--threads 2]

Prints one JSON row: the loss and wall time of every step.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'training-parity'))
from torch_mlm import Layer  # noqa: E402  (the post-LN BERT layer of the training-parity benchmark)

SEQ = 128
CONFIGS = {'lock': (False, False, 1e-4), 'teacher': (True, False, 1e-4), 'qat': (True, True, 1e-5)}  # teacher, qat, learning rate
MIN_SCALE = 1.1920928955078125e-7
DTYPES = {'F32': np.float32, 'F16': np.float16, 'I32': np.int32, 'I64': np.int64}
# Hugging Face names inside an encoder layer -> the module names of torch_mlm.Layer.
LAYER_NAMES = {
    'attention.self.query': 'query', 'attention.self.key': 'key', 'attention.self.value': 'value',
    'attention.output.dense': 'attention_output', 'attention.output.LayerNorm': 'attention_norm',
    'intermediate.dense': 'intermediate', 'output.dense': 'output', 'output.LayerNorm': 'output_norm',
}
LINEARS = ['query', 'key', 'value', 'attention_output', 'intermediate', 'output']


def read_safetensors(path):
    """The tensors of a safetensors file: an 8-byte little-endian header length, a JSON header, raw data."""
    with open(path, 'rb') as file:
        length = int.from_bytes(file.read(8), 'little')
        header = json.loads(file.read(length))
        data = np.fromfile(file, dtype=np.uint8)
    tensors = {}
    for name, entry in header.items():
        if name == '__metadata__':
            continue
        begin, end = entry['data_offsets']
        tensors[name] = torch.from_numpy(data[begin:end].view(DTYPES[entry['dtype']]).astype(np.float32).reshape(entry['shape']))
    return tensors


class LockedLinear(nn.Linear):
    """A Linear whose weight is multiplied by a fixed 0/1 mask, optionally fake-quantized (weight and input)."""

    def lock(self):
        self.register_buffer('mask', (self.weight.detach() != 0).float())
        self.qat = False

    def start_qat(self, averaging=0.01):
        self.qat, self.observed, self.frozen, self.averaging = True, False, False, averaging

    def quantize_input(self, x):
        if self.training and not self.frozen:
            low, high = x.detach().min().item(), x.detach().max().item()
            if not self.observed:
                self.low, self.high, self.observed = low, high, True
            else:
                self.low += self.averaging * (low - self.low)
                self.high += self.averaging * (high - self.high)
        low, high = min(self.low, 0.0), max(self.high, 0.0)
        scale = max((high - low) / 255, MIN_SCALE)
        zero_point = min(max(0 - round(low / scale), 0), 255)  # round() is half-to-even, as pofa's
        return torch.fake_quantize_per_tensor_affine(x, scale, int(zero_point), 0, 255)

    def forward(self, x):
        weight = self.weight * self.mask
        if self.qat:
            x = self.quantize_input(x)
            scale = max(weight.detach().abs().max().item() / 127, MIN_SCALE)
            weight = torch.fake_quantize_per_tensor_affine(weight, scale, 0, -127, 127)
        return F.linear(x, weight, self.bias)


class SequenceClassifier(nn.Module):
    def __init__(self, config, labels):
        super().__init__()
        hidden, dropout = config['hidden_size'], config.get('hidden_dropout_prob', 0.1)
        if config.get('attention_probs_dropout_prob', 0.1) != dropout:
            raise ValueError('torch_mlm.Layer uses one dropout rate for attention and hidden states')
        self.words = nn.Embedding(config['vocab_size'], hidden)
        self.positions = nn.Embedding(config['max_position_embeddings'], hidden)
        self.types = nn.Embedding(config.get('type_vocab_size', 2), hidden)
        self.embedding_norm = nn.LayerNorm(hidden, eps=config.get('layer_norm_eps', 1e-12))
        self.dropout = nn.Dropout(dropout)
        self.layers = nn.ModuleList()
        for _ in range(config['num_hidden_layers']):
            layer = Layer(hidden, config['num_attention_heads'], config['intermediate_size'], dropout)
            for name in LINEARS:
                old = getattr(layer, name)
                setattr(layer, name, LockedLinear(old.in_features, old.out_features))
            self.layers.append(layer)
        self.pooler = nn.Linear(hidden, hidden)
        self.classifier = nn.Linear(hidden, labels)

    def load(self, tensors):
        state = {}
        for name, tensor in tensors.items():
            name = name[len('bert.'):] if name.startswith('bert.') else name
            parts = name.split('.')
            if parts[0] == 'embeddings':
                target = {'word_embeddings': 'words', 'position_embeddings': 'positions', 'token_type_embeddings': 'types', 'LayerNorm': 'embedding_norm'}[parts[1]]
                state['.'.join([target] + parts[2:])] = tensor
            elif parts[0] == 'encoder':
                inner = '.'.join(parts[3:-1])
                state['layers.%s.%s.%s' % (parts[2], LAYER_NAMES[inner], parts[-1])] = tensor
            elif parts[0] == 'pooler':
                state['pooler.' + parts[-1]] = tensor
            elif parts[0] == 'classifier':
                state[name] = tensor
        missing, unexpected = self.load_state_dict(state, strict=False)
        missing = [name for name in missing if not name.endswith('.mask')]
        if missing or unexpected:
            raise ValueError('checkpoint mismatch: missing %s, unexpected %s' % (missing, unexpected))
        for layer in self.layers:
            for name in LINEARS:
                getattr(layer, name).lock()

    def locked(self):
        return [getattr(layer, name) for layer in self.layers for name in LINEARS]

    def forward(self, ids, mask):
        length = ids.shape[1]
        x = self.words(ids) + self.positions(torch.arange(length)) + self.types(torch.zeros_like(ids))
        x = self.dropout(self.embedding_norm(x))
        additive = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        for layer in self.layers:
            x = layer(x, additive)
        pooled = torch.tanh(self.pooler(x[:, 0]))
        return self.classifier(self.dropout(pooled))


def load_model(directory, labels=2):
    config = json.load(open(os.path.join(directory, 'config.json')))
    model = SequenceClassifier(config, labels)
    model.load(read_safetensors(os.path.join(directory, 'model.safetensors')))
    return model


def read_batches(path, batch):
    data = np.fromfile(path, dtype=np.int32)
    size = batch * (2 * SEQ + 1)
    for offset in range(0, len(data) - size + 1, size):
        part = data[offset:offset + size]
        ids = torch.from_numpy(part[:batch * SEQ].astype(np.int64).reshape(batch, SEQ))
        mask = torch.from_numpy(part[batch * SEQ:2 * batch * SEQ].astype(np.int64).reshape(batch, SEQ))
        yield ids, mask, torch.from_numpy(part[2 * batch * SEQ:].astype(np.int64))


def distillation(student_logits, teacher_logits, temperature=2.0):
    """T² · mean over rows of KL(softmax(teacher / T) ‖ softmax(student / T)), as distill/kd-kl-divergence."""
    teacher_log = F.log_softmax(teacher_logits / temperature, -1)
    student_log = F.log_softmax(student_logits / temperature, -1)
    return (teacher_log.exp() * (teacher_log - student_log)).sum(-1).mean() * temperature ** 2


def blas_library():
    """The BLAS this process loaded (Debian's torch calls whichever libblas.so.3 the alternatives system points at)."""
    with open('/proc/self/maps') as maps:
        found = sorted({line.split()[-1] for line in maps if 'blas' in line.split()[-1]})
    return found[0] if found else 'unknown'


def main():
    parser = argparse.ArgumentParser()
    for name in ['student', 'teacher', 'batches']:
        parser.add_argument('--' + name)
    parser.add_argument('--batch', type=int, default=8)
    parser.add_argument('--micro', type=int)
    parser.add_argument('--steps', type=int, default=6)
    parser.add_argument('--config', default='lock', choices=CONFIGS)
    parser.add_argument('--threads', type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    use_teacher, use_qat, rate = CONFIGS[args.config]
    micro = args.micro or args.batch
    passes = args.batch // micro
    started = time.perf_counter()
    student = load_model(args.student).train()
    teacher = load_model(args.teacher).eval() if use_teacher else None
    load_seconds = time.perf_counter() - started
    if use_qat:
        for linear in student.locked():
            linear.start_qat()
    named = list(student.named_parameters())
    no_decay = [p for n, p in named if n.endswith('bias') or 'norm' in n]
    decay = [p for n, p in named if not (n.endswith('bias') or 'norm' in n)]
    optimizer = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.01}, {'params': no_decay, 'weight_decay': 0.0}], lr=rate)
    warmup = math.ceil(args.steps / 10)
    freeze_at = max(1, args.steps // 2)

    def factor(step):  # createLinearWarmupSchedule at the 0-based step of the update
        return step / max(1, warmup) if step < warmup else max(0.0, (args.steps - step) / max(1, args.steps - warmup))

    losses, seconds = [], []
    batches = read_batches(args.batches, args.batch)
    for step in range(args.steps):
        begin = time.perf_counter()
        ids, mask, labels = next(batches)
        if use_qat and step == freeze_at:
            for linear in student.locked():
                linear.frozen = True
        for group in optimizer.param_groups:
            group['lr'] = rate * factor(step)
        optimizer.zero_grad(set_to_none=True)
        step_loss = 0.0
        for part in range(passes):
            rows = slice(part * micro, (part + 1) * micro)
            logits = student(ids[rows], mask[rows])
            loss = F.cross_entropy(logits, labels[rows])
            if teacher is not None:
                with torch.no_grad():
                    teacher_logits = teacher(ids[rows], mask[rows])
                loss = 0 * loss + distillation(logits, teacher_logits)
            (loss / passes).backward()
            step_loss += loss.item() / passes
        torch.nn.utils.clip_grad_norm_(student.parameters(), 1.0)
        optimizer.step()
        losses.append(step_loss)
        seconds.append(time.perf_counter() - begin)
    with torch.no_grad():
        pruned = sum(int(((linear.mask == 0) & (linear.weight != 0)).sum()) for linear in student.locked())
        zeros = sum(int((linear.weight * linear.mask == 0).sum()) for linear in student.locked())
        total = sum(linear.weight.numel() for linear in student.locked())
    print(json.dumps({
        'engine': 'pytorch', 'config': args.config, 'batch': args.batch, 'microBatch': micro, 'seq': SEQ, 'steps': args.steps, 'threads': torch.get_num_threads(),
        'torch': torch.__version__, 'loadSeconds': load_seconds, 'losses': losses, 'stepSeconds': seconds,
        'sparsityAfter': zeros / total, 'prunedNonZero': pruned, 'load': list(os.getloadavg()), 'blas': blas_library(),
    }))


if __name__ == '__main__':
    main()
