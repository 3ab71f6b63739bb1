"""Shared pieces of the parity fixture generator: inputs, a safetensors writer, weights, ops."""
import json
import math
import os
import struct

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src', '__fixtures__', 'parity')
FLOAT32_MIN = float(torch.finfo(torch.float32).min)

# Two rows of seven tokens; row 1 has two padding positions; token types in both rows.
INPUT_IDS = [[2, 17, 45, 98, 5, 63, 3], [2, 77, 12, 3, 31, 0, 0]]
ATTENTION_MASK = [[1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 0, 0]]
TOKEN_TYPE_IDS = [[0, 0, 0, 1, 1, 1, 1], [0, 0, 0, 0, 1, 0, 0]]


# --------------------------------------------------------------------------- safetensors


def write_safetensors(path, tensors):
    """A minimal safetensors writer: 8-byte little-endian header size, JSON header, F32 data."""
    header = {'__metadata__': {'format': 'pt'}}
    blobs = []
    offset = 0
    for name, tensor in tensors.items():
        data = tensor.detach().to(torch.float32).contiguous().numpy().astype('<f4').tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(tensor.shape), 'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(',', ':')).encode('utf-8')
    text += b' ' * ((8 - len(text) % 8) % 8)
    with open(path, 'wb') as handle:
        handle.write(struct.pack('<Q', len(text)))
        handle.write(text)
        for blob in blobs:
            handle.write(blob)


def write_checkpoint(directory, config, tensors, shards=1):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, 'config.json'), 'w') as handle:
        json.dump(config, handle, indent=2)
    if shards == 1:
        write_safetensors(os.path.join(directory, 'model.safetensors'), tensors)
        return
    names = list(tensors)
    per_shard = math.ceil(len(names) / shards)
    weight_map = {}
    for index in range(shards):
        file = 'model-%05d-of-%05d.safetensors' % (index + 1, shards)
        part = {name: tensors[name] for name in names[index * per_shard:(index + 1) * per_shard]}
        write_safetensors(os.path.join(directory, file), part)
        weight_map.update({name: file for name in part})
    index_json = {'metadata': {'total_size': sum(t.numel() * 4 for t in tensors.values())}, 'weight_map': weight_map}
    with open(os.path.join(directory, 'model.safetensors.index.json'), 'w') as handle:
        json.dump(index_json, handle, indent=2)


def rounded(tensor):
    return [float('%.7g' % value) for value in tensor.detach().reshape(-1).tolist()]


def write_expected(directory, outputs):
    data = {'inputIds': INPUT_IDS, 'attentionMask': ATTENTION_MASK, 'tokenTypeIds': TOKEN_TYPE_IDS}
    for name, value in outputs.items():
        if isinstance(value, list):
            data[name] = [{'shape': list(item.shape), 'data': rounded(item)} for item in value]
        else:
            data[name] = {'shape': list(value.shape), 'data': rounded(value)}
    with open(os.path.join(directory, 'expected.json'), 'w') as handle:
        json.dump(data, handle, separators=(',', ':'))


# --------------------------------------------------------------------------- weights


class Weights:
    """Random float32 weights with Hugging Face names; read back in float64."""

    def __init__(self, seed):
        self.generator = torch.Generator().manual_seed(seed)
        self.tensors = {}

    def normal(self, name, shape, std=0.2, mean=0.0):
        value = torch.randn(*shape, generator=self.generator, dtype=torch.float32) * std + mean
        self.tensors[name] = value
        return value

    def linear(self, name, out_features, in_features):
        self.normal(name + '.weight', (out_features, in_features))
        self.normal(name + '.bias', (out_features,), std=0.1)

    def layer_norm(self, name, size):
        self.normal(name + '.weight', (size,), std=0.1, mean=1.0)
        self.normal(name + '.bias', (size,), std=0.1)

    def get(self, name):
        return self.tensors[name].to(torch.float64)


def linear(weights, name, x):
    return x @ weights.get(name + '.weight').T + weights.get(name + '.bias')


def layer_norm(weights, name, x, eps):
    return torch.nn.functional.layer_norm(x, (x.shape[-1],), weights.get(name + '.weight'), weights.get(name + '.bias'), eps)


def activation(name, x):
    if name == 'gelu':
        return torch.nn.functional.gelu(x)  # exact erf form (HF GELUActivation)
    if name == 'gelu_new':  # HF NewGELUActivation
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))
    if name == 'relu':
        return torch.relu(x)
    raise ValueError(name)


def split_heads(x, heads):
    batch, seq, width = x.shape
    return x.view(batch, seq, heads, width // heads).permute(0, 2, 1, 3)


def merge_heads(x):
    batch, heads, seq, size = x.shape
    return x.permute(0, 2, 1, 3).contiguous().view(batch, seq, heads * size)
