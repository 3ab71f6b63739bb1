#!/usr/bin/env python3
"""Golden fixtures for @pofa/quant's fake quantization, quantization parameters and observers.

Run with Debian's Python (torch 1.13, CPU):

    /usr/bin/python3 packages/quant/scripts/make-fake-quant-fixtures.py

Writes, under packages/quant/src/primitives/__fixtures__/:
- fake-quantize.json: forward outputs and input gradients of
  torch.fake_quantize_per_tensor_affine / torch.fake_quantize_per_channel_affine
  (symmetric int8 narrow range, asymmetric uint8; values on clamp boundaries and at
  half-way points, with power-of-two scales where x/scale is exactly k + 0.5 and decimal
  scales where PyTorch's multiply-by-reciprocal decides the tie);
- quant-params.json: MinMaxObserver / PerChannelMinMaxObserver calculate_qparams;
- observers.json: MinMaxObserver and MovingAverage(PerChannel)MinMaxObserver ranges over
  several batches.
Every float is a float32 value written as the shortest decimal of its float64 widening.
"""
import json
import os

import numpy as np
import torch
from torch.ao.quantization.observer import (
    MinMaxObserver,
    MovingAverageMinMaxObserver,
    MovingAveragePerChannelMinMaxObserver,
    PerChannelMinMaxObserver,
)

SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src')
rng = np.random.RandomState(20211110)


def f32(values):
    return [float(v) for v in np.asarray(values, dtype=np.float32).reshape(-1)]


def special_values(scale, zero_point, quant_min, quant_max):
    """Values at half-way points and around both clamp boundaries, for one scale."""
    ks = np.arange(-6, 6)
    half_way = (ks + 0.5) * scale
    low = (quant_min - zero_point) * scale
    high = (quant_max - zero_point) * scale
    edges = [low - scale, low - 0.5 * scale, low - 0.49 * scale, low, low + 0.5 * scale,
             high - 0.5 * scale, high, high + 0.49 * scale, high + 0.5 * scale, high + 0.51 * scale, high + scale, 0.0]
    return np.concatenate([half_way, np.asarray(edges)]).astype(np.float32)


def per_tensor_case(name, scale, zero_point, quant_min, quant_max, count=160):
    values = np.concatenate([
        special_values(scale, zero_point, quant_min, quant_max),
        (rng.randn(count) * (quant_max - quant_min) * scale / 4).astype(np.float32),
    ]).astype(np.float32)
    x = torch.tensor(values, requires_grad=True)
    y = torch.fake_quantize_per_tensor_affine(x, scale, zero_point, quant_min, quant_max)
    dy = torch.tensor(rng.randn(values.size).astype(np.float32))
    y.backward(dy)
    return {
        'name': name, 'shape': [int(values.size)], 'x': f32(values),
        'scale': float(np.float32(scale)), 'zeroPoint': zero_point, 'quantMin': quant_min, 'quantMax': quant_max,
        'y': f32(y.detach().numpy()), 'dy': f32(dy.numpy()), 'dx': f32(x.grad.numpy()),
    }


def per_channel_case(name, shape, axis, scales, zero_points, quant_min, quant_max):
    scales = np.asarray(scales, dtype=np.float32)
    zero_points = np.asarray(zero_points, dtype=np.int32)
    moved = [shape[axis]] + [s for i, s in enumerate(shape) if i != axis]
    x_moved = (rng.randn(*moved) * (quant_max - quant_min) / 4).astype(np.float32)
    for c in range(shape[axis]):
        flat = x_moved[c].reshape(-1)
        x_moved[c] = (flat * scales[c]).reshape(x_moved[c].shape)
        special = special_values(float(scales[c]), int(zero_points[c]), quant_min, quant_max)
        flat = x_moved[c].reshape(-1)
        flat[: min(flat.size, special.size)] = special[: flat.size]
        x_moved[c] = flat.reshape(x_moved[c].shape)
    values = np.moveaxis(x_moved, 0, axis).astype(np.float32)
    x = torch.tensor(values, requires_grad=True)
    y = torch.fake_quantize_per_channel_affine(x, torch.tensor(scales), torch.tensor(zero_points), axis, quant_min, quant_max)
    dy = torch.tensor(rng.randn(*shape).astype(np.float32))
    y.backward(dy)
    return {
        'name': name, 'shape': list(shape), 'axis': axis, 'x': f32(values),
        'scale': f32(scales), 'zeroPoint': [int(z) for z in zero_points], 'quantMin': quant_min, 'quantMax': quant_max,
        'y': f32(y.detach().numpy()), 'dy': f32(dy.numpy()), 'dx': f32(x.grad.numpy()),
    }


def fake_quantize_cases():
    return [
        per_tensor_case('per-tensor int8 symmetric narrow, power-of-two scale', 0.0625, 0, -127, 127),
        per_tensor_case('per-tensor int8 symmetric narrow, decimal scale', 0.1, 0, -127, 127),
        per_tensor_case('per-tensor int8 symmetric narrow, odd scale', 0.0123, 0, -127, 127),
        per_tensor_case('per-tensor uint8 asymmetric', 0.02, 100, 0, 255),
        per_tensor_case('per-tensor uint8 asymmetric, power-of-two scale', 0.03125, 37, 0, 255),
        per_channel_case('per-channel int8 symmetric narrow, axis 0', [4, 40], 0, [0.01, 0.0625, 0.3, 0.0071], [0, 0, 0, 0], -127, 127),
        per_channel_case('per-channel uint8 asymmetric, axis 1', [6, 3, 8], 1, [0.05, 0.125, 0.017], [128, 3, 250], 0, 255),
    ]


def qparams(observer, x):
    observer(torch.tensor(x))
    scale, zero_point = observer.calculate_qparams()
    return f32(scale), [int(z) for z in zero_point.reshape(-1)]


def quant_params_cases():
    cases = []
    weight = (rng.randn(5, 12) * 0.3).astype(np.float32)
    weight[2] = 0.0  # a pruned row: degenerate range
    weight[3] = np.abs(weight[3])  # all positive
    activation = (rng.randn(64) * 2 + 1.5).astype(np.float32)
    positive = (np.abs(rng.randn(64)) + 0.5).astype(np.float32)
    settings = [
        ('int8 symmetric narrow', dict(dtype=torch.qint8, qscheme=torch.per_tensor_symmetric, quant_min=-127, quant_max=127),
         dict(bits=8, symmetric=True, narrowRange=True)),
        ('int8 symmetric full', dict(dtype=torch.qint8, qscheme=torch.per_tensor_symmetric),
         dict(bits=8, symmetric=True, narrowRange=False)),
        ('uint8 asymmetric', dict(dtype=torch.quint8, qscheme=torch.per_tensor_affine),
         dict(bits=8, symmetric=False)),
    ]
    for label, torch_options, pofa_options in settings:
        for data_name, data in [('activation', activation), ('positive', positive), ('zeros', np.zeros(8, np.float32)), ('weight', weight)]:
            observer = MinMaxObserver(**torch_options)
            scale, zero_point = qparams(observer, data)
            cases.append({'name': f'{label}, per tensor, {data_name}', 'options': pofa_options,
                          'min': float(observer.min_val), 'max': float(observer.max_val), 'scale': scale[0], 'zeroPoint': zero_point[0]})
        channel_options = dict(torch_options, qscheme=torch.per_channel_symmetric if pofa_options['symmetric'] else torch.per_channel_affine)
        observer = PerChannelMinMaxObserver(ch_axis=0, **channel_options)
        scale, zero_point = qparams(observer, weight)
        cases.append({'name': f'{label}, per channel, weight', 'options': dict(pofa_options, axis=0),
                      'min': f32(observer.min_val), 'max': f32(observer.max_val), 'scale': scale, 'zeroPoint': zero_point})
    return cases


def observer_cases():
    batches = [(rng.randn(4, 10) * s + o).astype(np.float32) for s, o in [(1.0, 0.0), (3.0, 1.0), (0.5, -2.0), (2.0, 0.5)]]
    cases = []
    for name, observer, options in [
        ('min-max, per tensor', MinMaxObserver(), {'kind': 'min-max'}),
        ('ema, per tensor', MovingAverageMinMaxObserver(averaging_constant=0.01), {'kind': 'ema', 'averagingConstant': 0.01}),
        ('ema 0.3, per tensor', MovingAverageMinMaxObserver(averaging_constant=0.3), {'kind': 'ema', 'averagingConstant': 0.3}),
        ('min-max, per channel', PerChannelMinMaxObserver(ch_axis=0), {'kind': 'min-max', 'axis': 0}),
        ('ema 0.1, per channel', MovingAveragePerChannelMinMaxObserver(ch_axis=0, averaging_constant=0.1), {'kind': 'ema', 'axis': 0, 'averagingConstant': 0.1}),
    ]:
        steps = []
        for batch in batches:
            observer(torch.tensor(batch))
            steps.append({'min': f32(observer.min_val), 'max': f32(observer.max_val)})
        cases.append({'name': name, 'options': options, 'steps': steps})
    return {'shape': [4, 10], 'batches': [f32(batch) for batch in batches], 'cases': cases}


def write(folder, name, payload):
    out = os.path.join(SOURCE, folder, '__fixtures__')
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, name), 'w') as handle:
        json.dump({'generator': 'scripts/make-fake-quant-fixtures.py', 'torch': torch.__version__, **payload}, handle, separators=(',', ':'))
        handle.write('\n')


if __name__ == '__main__':
    write('primitives', 'fake-quantize.json', {'cases': fake_quantize_cases()})
    write('primitives', 'quant-params.json', {'cases': quant_params_cases()})
    write('observers', 'observers.json', observer_cases())
