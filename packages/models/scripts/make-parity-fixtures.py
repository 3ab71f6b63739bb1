#!/usr/bin/env python3
"""Golden fixtures for @pofa/models' parity tests with Hugging Face BERT and DistilBERT.

Run with Debian's python (torch 1.13, no `transformers` needed):

    /usr/bin/python3 packages/models/scripts/make-parity-fixtures.py

It re-implements, in plain torch, the eval-mode forward of Hugging Face's `BertModel`,
`BertForMaskedLM`, `BertForPreTraining`, `BertForSequenceClassification`,
`BertForQuestionAnswering`, `DistilBertModel`, `DistilBertForMaskedLM`,
`DistilBertForSequenceClassification` and `DistilBertForQuestionAnswering`
(transformers 4.x `modeling_bert.py` / `modeling_distilbert.py`, eager attention), for small
random configs. For each it writes a checkpoint directory in Hugging Face layout
(`config.json` + `model.safetensors`, or shards + `model.safetensors.index.json`) and
`expected.json` with the inputs, hidden states, attention probabilities and logits.
The reference runs in float64 on the float32-rounded weights. The model code is in
`parity_bert.py` and `parity_distilbert.py`, shared helpers in `parity_common.py`.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402

from parity_bert import make_bert  # noqa: E402
from parity_common import OUT  # noqa: E402
from parity_distilbert import make_distilbert  # noqa: E402

if __name__ == '__main__':
    torch.set_grad_enabled(False)
    make_bert()
    make_distilbert()
    print('wrote fixtures under', os.path.normpath(OUT))
