"""Golden values and student gradients of the @pofa/distill losses, computed with torch.

Run with Debian's python (torch 1.13, CPU):

    /usr/bin/python3 scripts/make-loss-fixtures.py

Each loss is written here from its definition (not through torch's own KD helpers), in
float64, on small random inputs that are exactly representable in float32 (so tfjs sees the
same numbers). Writes src/__fixtures__/losses.json: per case the inputs, the options, the
loss value and the gradient of the loss with respect to the student input.
"""
import json
import math
import os

import torch

torch.manual_seed(20211110)
DOUBLE = torch.float64
ATTENTION_KL_EPSILON = 1e-12
COSINE_EPSILON_SQUARED = 1e-16
PKD_EPSILON_SQUARED = 1e-24
MASKED_LOGIT = -1e9
MASKED_SCORE_THRESHOLD = -1e4


def random_input(shape, scale=1.0):
    return (torch.randn(shape, dtype=torch.float32) * scale).to(DOUBLE)


def random_probabilities(shape, mask=None):
    logits = torch.randn(shape, dtype=DOUBLE) * 1.5
    if mask is not None:
        logits = logits.masked_fill(mask[:, None, None, :] == 0, float('-inf'))
    return torch.softmax(logits, dim=-1).to(torch.float32).to(DOUBLE)


def masked_mean(values, weights=None):
    if weights is None:
        return values.mean()
    weights = weights.to(DOUBLE).expand_as(values)
    return (values * weights).sum() / torch.clamp(weights.sum(), min=1.0)


def kd_cross_entropy(student, teacher, mask=None, temperature=1.0):
    teacher_probabilities = torch.softmax(teacher / temperature, dim=-1)
    student_log = torch.log_softmax(student / temperature, dim=-1)
    rows = -(teacher_probabilities * student_log).sum(-1)
    return temperature ** 2 * masked_mean(rows, mask)


def kd_kl_divergence(student, teacher, mask=None, temperature=1.0):
    teacher_log = torch.log_softmax(teacher / temperature, dim=-1)
    student_log = torch.log_softmax(student / temperature, dim=-1)
    rows = (teacher_log.exp() * (teacher_log - student_log)).sum(-1)
    return temperature ** 2 * masked_mean(rows, mask)


def squared_error(student, teacher, mask=None):
    rows = ((student - teacher) ** 2).sum(-1)
    return masked_mean(rows, mask) / student.shape[-1]


def without_mask_values(scores):
    return torch.where(scores <= MASKED_SCORE_THRESHOLD, torch.zeros_like(scores), scores)


def attention_mse(student, teacher, mask=None):
    squared = (without_mask_values(student) - without_mask_values(teacher)) ** 2
    if mask is None:
        return squared.mean()
    pair = mask[:, None, :, None].to(DOUBLE) * mask[:, None, None, :].to(DOUBLE)
    positions = mask.to(DOUBLE).sum(-1)
    return (squared * pair).sum() / ((positions ** 2).sum() * student.shape[1])


def attention_kl(student, teacher, mask=None):
    terms = teacher * (torch.log(torch.clamp(teacher, min=ATTENTION_KL_EPSILON))
                       - torch.log(torch.clamp(student, min=ATTENTION_KL_EPSILON)))
    if mask is None:
        return terms.sum(-1).mean()
    terms = terms * mask[:, None, None, :].to(DOUBLE)
    return masked_mean(terms.sum(-1), mask[:, None, :])


def relation_log_probabilities(values, mask=None):
    logits = values @ values.transpose(-1, -2) / math.sqrt(values.shape[-1])
    if mask is not None:
        logits = logits.masked_fill(mask[:, None, None, :] == 0, MASKED_LOGIT)
    return torch.log_softmax(logits, dim=-1)


def value_relation_kl(student, teacher, mask=None):
    teacher_log = relation_log_probabilities(teacher, mask)
    student_log = relation_log_probabilities(student, mask)
    terms = teacher_log.exp() * (teacher_log - student_log)
    if mask is None:
        return terms.sum(-1).mean()
    terms = terms * mask[:, None, None, :].to(DOUBLE)
    return masked_mean(terms.sum(-1), mask[:, None, :])


def cosine_embedding(student, teacher, mask=None):
    dot = (student * teacher).sum(-1)
    norm_product = (student ** 2).sum(-1) * (teacher ** 2).sum(-1)
    cosine = dot / torch.sqrt(torch.clamp(norm_product, min=COSINE_EPSILON_SQUARED))
    return masked_mean(1 - cosine, mask)


def pkd(student, teacher, mask=None):
    def normalize(vectors):
        norm = torch.sqrt(torch.clamp((vectors ** 2).sum(-1, keepdim=True), min=PKD_EPSILON_SQUARED))
        return vectors / norm
    difference = normalize(student[:, 0, :]) - normalize(teacher[:, 0, :])
    return (difference ** 2).sum(-1).mean()


SEQ4_MASK = torch.tensor([[1, 1, 1, 1], [1, 1, 0, 0]])
SEQ3_MASK = torch.tensor([[1, 1, 1], [1, 0, 0]])


def plain(student_shape, teacher_shape=None, scale=1.0):
    return random_input(student_shape, scale), random_input(teacher_shape or student_shape, scale)


def probabilities(shape, mask=None):
    return random_probabilities(shape, mask), random_probabilities(shape, mask)


CASES = [
    ('kdCrossEntropy', 'classes, T = 1', kd_cross_entropy, plain([4, 5], scale=2.0), None, {'temperature': 1.0}),
    ('kdCrossEntropy', 'tokens with padding, T = 2', kd_cross_entropy, plain([2, 3, 5], scale=2.0), SEQ3_MASK, {'temperature': 2.0}),
    ('kdKlDivergence', 'classes, T = 2', kd_kl_divergence, plain([4, 5], scale=2.0), None, {'temperature': 2.0}),
    ('kdKlDivergence', 'tokens, T = 1', kd_kl_divergence, plain([2, 3, 5], scale=2.0), None, {'temperature': 1.0}),
    ('kdKlDivergence', 'tokens with padding, T = 2', kd_kl_divergence, plain([2, 3, 5], scale=2.0), SEQ3_MASK, {'temperature': 2.0}),
    ('logitsMse', 'classes', squared_error, plain([4, 5]), None, {}),
    ('logitsMse', 'tokens with padding', squared_error, plain([2, 3, 5]), SEQ3_MASK, {}),
    ('hiddenMse', 'hidden states', squared_error, plain([2, 4, 6]), None, {}),
    ('hiddenMse', 'hidden states with padding', squared_error, plain([2, 4, 6]), SEQ4_MASK, {}),
    ('attentionMse', 'scores', attention_mse, plain([2, 2, 4, 4], scale=3.0), None, {}),
    ('attentionMse', 'scores with padding', attention_mse, plain([2, 2, 4, 4], scale=3.0), SEQ4_MASK, {}),
    ('attentionKl', 'probabilities', attention_kl, probabilities([2, 2, 4, 4]), None, {}),
    ('attentionKl', 'probabilities with padding', attention_kl, probabilities([2, 2, 4, 4], SEQ4_MASK), SEQ4_MASK, {}),
    ('cosineEmbeddingLoss', 'hidden states', cosine_embedding, plain([2, 4, 6]), None, {}),
    ('cosineEmbeddingLoss', 'hidden states with padding', cosine_embedding, plain([2, 4, 6]), SEQ4_MASK, {}),
    ('pkdLoss', '[CLS] of hidden states', pkd, plain([3, 4, 6]), None, {}),
    ('valueRelationKl', 'values, head dims 3 and 5', value_relation_kl, plain([2, 2, 4, 3], [2, 2, 4, 5]), None, {}),
    ('valueRelationKl', 'values with padding', value_relation_kl, plain([2, 2, 4, 3], [2, 2, 4, 5]), SEQ4_MASK, {}),
]


def flat(tensor):
    return {'shape': list(tensor.shape), 'data': [float('%.9g' % value) for value in tensor.reshape(-1).tolist()]}


def main():
    cases = []
    for loss, name, function, (student, teacher), mask, options in CASES:
        student = student.clone().requires_grad_(True)
        value = function(student, teacher, mask, **options)
        value.backward()
        cases.append({
            'loss': loss,
            'name': name,
            'options': options,
            'student': flat(student.detach()),
            'teacher': flat(teacher),
            'mask': None if mask is None else flat(mask),
            'value': float('%.15g' % value.item()),
            'gradient': {'shape': list(student.shape), 'data': [float('%.15g' % v) for v in student.grad.reshape(-1).tolist()]},
        })
    out = os.path.join(os.path.dirname(__file__), '..', 'src', '__fixtures__', 'losses.json')
    with open(out, 'w') as handle:
        json.dump({'generator': 'scripts/make-loss-fixtures.py (torch %s, float64)' % torch.__version__, 'cases': cases}, handle)
        handle.write('\n')
    print('wrote %d cases to %s (%d bytes)' % (len(cases), out, os.path.getsize(out)))


if __name__ == '__main__':
    main()
