"""Golden fixture for pofa's AdamW: a few torch.optim.AdamW steps on small fixed tensors.

Run from the repository root with Debian's Python (it has torch 1.13):

    /usr/bin/python3 packages/core/scripts/make-adamw-fixture.py

Writes packages/core/src/training/__fixtures__/adamw-golden.json: the initial parameters,
the gradient and learning rate of every step, and the parameters plus both moments after
every step. Parameters follow the Hugging Face grouping: weight decay on `dense.weight`
and `skip.weight`, none on `dense.bias` and `LayerNorm.weight`. `skip.weight` gets no
gradient at step 2, so its own step count (and bias correction) lags the others.
"""
import json
import os

import torch

torch.manual_seed(1234)

BETAS = (0.9, 0.999)
EPS = 1e-8
WEIGHT_DECAY = 0.1
LEARNING_RATES = [1e-2, 2e-2, 3e-2, 1.5e-2, 5e-3]
SKIPPED = {("skip.weight", 1)}  # (parameter, 0-based step) pairs without a gradient

shapes = {
    "dense.weight": (3, 4),
    "dense.bias": (4,),
    "LayerNorm.weight": (4,),
    "skip.weight": (2, 3),
}
decay = {"dense.weight": True, "dense.bias": False, "LayerNorm.weight": False, "skip.weight": True}

params = {name: torch.randn(shape, dtype=torch.float32).requires_grad_(True) for name, shape in shapes.items()}
initial = {name: p.detach().clone() for name, p in params.items()}
optimizer = torch.optim.AdamW(
    [
        {"params": [params[n] for n in shapes if decay[n]], "weight_decay": WEIGHT_DECAY},
        {"params": [params[n] for n in shapes if not decay[n]], "weight_decay": 0.0},
    ],
    lr=LEARNING_RATES[0],
    betas=BETAS,
    eps=EPS,
)

steps = []
for index, learning_rate in enumerate(LEARNING_RATES):
    for group in optimizer.param_groups:
        group["lr"] = learning_rate
    gradients = {}
    for name, p in params.items():
        if (name, index) in SKIPPED:
            p.grad = None
            continue
        gradient = torch.randn(shapes[name], dtype=torch.float32)
        p.grad = gradient.clone()
        gradients[name] = gradient.flatten().tolist()
    optimizer.step()
    after = {}
    for name, p in params.items():
        state = optimizer.state[p]
        after[name] = {
            "value": p.detach().flatten().tolist(),
            "expAvg": state["exp_avg"].flatten().tolist() if state else None,
            "expAvgSq": state["exp_avg_sq"].flatten().tolist() if state else None,
        }
    steps.append({"learningRate": learning_rate, "gradients": gradients, "after": after})

fixture = {
    "source": "torch.optim.AdamW, torch " + torch.__version__ + ", float32",
    "betas": list(BETAS),
    "eps": EPS,
    "weightDecay": WEIGHT_DECAY,
    "shapes": {name: list(shape) for name, shape in shapes.items()},
    "decay": decay,
    "initial": {name: t.flatten().tolist() for name, t in initial.items()},
    "steps": steps,
}
out = os.path.join(os.path.dirname(__file__), "..", "src", "training", "__fixtures__", "adamw-golden.json")
with open(out, "w") as handle:
    json.dump(fixture, handle, indent=1)
print("wrote", os.path.normpath(out))
