"""Golden fixtures for @pofa/tasks metrics.

Run with Debian's Python (scikit-learn and SciPy installed):

    /usr/bin/python3 packages/tasks/scripts/make-metric-fixtures.py

Writes packages/tasks/src/metrics/__fixtures__/metrics.json. The classification and
correlation cases are computed by scikit-learn and SciPy; the SQuAD cases by a
re-implementation of the functions of the official SQuAD v1.1 `evaluate-v1.1.py`
(normalize_answer, f1_score, exact_match_score, metric_max_over_ground_truths), copied
here function by function.
"""

import collections
import json
import math
import os
import re
import string
import warnings

import numpy as np
import scipy
import sklearn
from scipy import stats
from sklearn.metrics import accuracy_score, f1_score, matthews_corrcoef

warnings.filterwarnings("ignore")
rng = np.random.default_rng(20211110)


# --- the official SQuAD v1.1 evaluation functions ---------------------------------------


def normalize_answer(s):
    """Lower text and remove punctuation, articles and extra whitespace."""

    def remove_articles(text):
        return re.sub(r"\b(a|an|the)\b", " ", text)

    def white_space_fix(text):
        return " ".join(text.split())

    def remove_punc(text):
        exclude = set(string.punctuation)
        return "".join(ch for ch in text if ch not in exclude)

    def lower(text):
        return text.lower()

    return white_space_fix(remove_articles(remove_punc(lower(s))))


def squad_f1_score(prediction, ground_truth):
    prediction_tokens = normalize_answer(prediction).split()
    ground_truth_tokens = normalize_answer(ground_truth).split()
    common = collections.Counter(prediction_tokens) & collections.Counter(ground_truth_tokens)
    num_same = sum(common.values())
    if num_same == 0:
        return 0
    precision = 1.0 * num_same / len(prediction_tokens)
    recall = 1.0 * num_same / len(ground_truth_tokens)
    f1 = (2 * precision * recall) / (precision + recall)
    return f1


def exact_match_score(prediction, ground_truth):
    return normalize_answer(prediction) == normalize_answer(ground_truth)


def metric_max_over_ground_truths(metric_fn, prediction, ground_truths):
    scores_for_ground_truths = []
    for ground_truth in ground_truths:
        score = metric_fn(prediction, ground_truth)
        scores_for_ground_truths.append(score)
    return max(scores_for_ground_truths)


def official_evaluate(dataset, predictions):
    """`evaluate` of evaluate-v1.1.py, returning fractions instead of percentages."""
    f1 = exact_match = total = 0
    for article in dataset:
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                total += 1
                if qa["id"] not in predictions:
                    continue
                ground_truths = list(map(lambda x: x["text"], qa["answers"]))
                prediction = predictions[qa["id"]]
                exact_match += metric_max_over_ground_truths(exact_match_score, prediction, ground_truths)
                f1 += metric_max_over_ground_truths(squad_f1_score, prediction, ground_truths)
    return {"exactMatch": exact_match / total, "f1": f1 / total}


# --- helpers ----------------------------------------------------------------------------


def finite_or_none(value):
    value = float(value)
    return None if math.isnan(value) else value


def classification_case(name, predictions, labels, average="binary", positive_label=1):
    predictions = [int(v) for v in predictions]
    labels = [int(v) for v in labels]
    kwargs = {"average": average}
    if average == "binary":
        kwargs["pos_label"] = positive_label
    return {
        "name": name,
        "predictions": predictions,
        "labels": labels,
        "average": average,
        "positiveLabel": positive_label,
        "accuracy": float(accuracy_score(labels, predictions)),
        "f1": float(f1_score(labels, predictions, **kwargs)),
        "matthews": float(matthews_corrcoef(labels, predictions)),
    }


def correlation_case(name, x, y):
    x = [float(v) for v in x]
    y = [float(v) for v in y]
    pearson = stats.pearsonr(x, y)[0]
    spearman = stats.spearmanr(x, y)[0]
    return {"name": name, "x": x, "y": y, "pearson": finite_or_none(pearson), "spearman": finite_or_none(spearman)}


# --- classification cases --------------------------------------------------------------

classification = []
for index in range(12):
    size = int(rng.integers(5, 60))
    labels = rng.integers(0, 2, size)
    flip = rng.random(size) < rng.uniform(0.05, 0.6)
    predictions = np.where(flip, 1 - labels, labels)
    classification.append(classification_case(f"random binary {index}", predictions, labels))
for index in range(8):
    size = int(rng.integers(6, 80))
    classes = int(rng.integers(3, 6))
    labels = rng.integers(0, classes, size)
    noise = rng.integers(0, classes, size)
    predictions = np.where(rng.random(size) < 0.4, noise, labels)
    classification.append(classification_case(f"random multi-class macro {index}", predictions, labels, "macro"))
classification += [
    classification_case("one class only, all correct", [1, 1, 1, 1], [1, 1, 1, 1]),
    classification_case("one class only (negatives), all correct", [0, 0, 0], [0, 0, 0]),
    classification_case("constant predictions", [1, 1, 1, 1, 1, 1], [0, 1, 0, 1, 1, 0]),
    classification_case("constant negative predictions", [0, 0, 0, 0, 0], [0, 1, 1, 0, 1]),
    classification_case("all wrong", [1, 0, 1, 0, 0, 1], [0, 1, 0, 1, 1, 0]),
    classification_case("all correct", [0, 1, 1, 0, 1], [0, 1, 1, 0, 1]),
    classification_case("positive label 0", [0, 1, 0, 0, 1, 1, 0], [0, 0, 0, 1, 1, 1, 1], "binary", 0),
    classification_case("macro with a class never predicted", [0, 0, 1, 1, 0, 1], [0, 1, 2, 1, 2, 0], "macro"),
    classification_case("macro with a class only predicted", [3, 0, 1, 3, 0, 1], [0, 0, 1, 1, 0, 1], "macro"),
    classification_case("macro all wrong", [1, 2, 0, 1], [0, 1, 2, 2], "macro"),
    classification_case("single example", [1], [1]),
]

# --- correlation cases -------------------------------------------------------------------

correlation = []
for index in range(8):
    size = int(rng.integers(3, 50))
    x = rng.normal(0, 1, size)
    y = x * rng.uniform(-2, 2) + rng.normal(0, rng.uniform(0.1, 2), size)
    correlation.append(correlation_case(f"random {index}", np.round(x, 6), np.round(y, 6)))
for index in range(4):
    size = int(rng.integers(8, 40))
    x = rng.integers(0, 5, size)
    y = rng.integers(0, 4, size) + x
    correlation.append(correlation_case(f"many ties {index}", x, y))
correlation += [
    correlation_case("perfect negative", [1, 2, 3, 4, 5], [10, 8, 6, 4, 2]),
    correlation_case("monotone but not linear", [1, 2, 3, 4, 5, 6], [1, 4, 9, 16, 25, 1000]),
    correlation_case("ties in both", [1, 1, 2, 2, 3], [5, 5, 5, 4, 1]),
    correlation_case("two points", [0.5, 2.5], [3, -1]),
    correlation_case("stsb-like scores", [0.0, 1.2, 2.4, 3.8, 5.0, 4.2, 2.2], [0.3, 1.0, 2.9, 3.1, 4.6, 4.4, 1.8]),
    correlation_case("constant x", [2, 2, 2, 2], [1, 2, 3, 4]),
    correlation_case("constant y", [1, 2, 3], [7, 7, 7]),
]

# --- SQuAD cases -------------------------------------------------------------------------

squad_pairs = [
    ("The Eiffel Tower", ["Eiffel Tower", "the tower"]),
    ("an apple a day", ["apple day"]),
    ("", ["something"]),
    ("", [""]),
    ("...!?", [""]),
    ("the a an", ["", "a"]),
    ("Denver Broncos", ["Denver Broncos", "The Denver Broncos", "Broncos"]),
    ("Broncos Broncos Broncos", ["Denver Broncos"]),
    ("New York New York", ["new york"]),
    ("São Paulo, Brazil", ["são paulo"]),
    ("ÉCOLE normale", ["école Normale supérieure"]),
    ("1,000 km", ["1000 km"]),
    ("U.S. Army", ["US army", "the U.S. Army"]),
    ("theater and anthem", ["the theater", "anthem"]),
    ("  spaced\tout\nanswer  ", ["spaced out answer"]),
    ("rock’n’roll “quotes”", ["rock’n’roll quotes"]),
    ("Apple's stock", ["apples stock"]),
    ("a b c d e f", ["d e f g h"]),
    ("under_score and-dash", ["underscore anddash"]),
    ("The", ["the"]),
    ("twenty five percent", ["25%", "twenty-five percent"]),
    # Python's \b is Unicode-aware: no word boundary between "é" and "the", nor before "²".
    ("éthe", ["é"]),
    ("the² a", ["²"]),
    ("ΣΟΦΙΑ the owl", ["σοφια owl"]),
    # str.split() splits on \x85, \xa0 and \u3000 but not on \ufeff.
    ("one\x85two\xa0three\u3000four", ["one two three four"]),
    ("one\ufefftwo", ["one two"]),
    ("the\x1canswer", ["answer"]),
]
squad_cases = []
for prediction, gold in squad_pairs:
    squad_cases.append(
        {
            "prediction": prediction,
            "goldAnswers": gold,
            "normalized": normalize_answer(prediction),
            "exactMatch": float(metric_max_over_ground_truths(exact_match_score, prediction, gold)),
            "f1": float(metric_max_over_ground_truths(squad_f1_score, prediction, gold)),
        }
    )

# A context holding every gold answer, so that each answer_start points at its text.
squad_context = ""
squad_questions = []
for index, (_, gold) in enumerate(squad_pairs):
    answers = []
    for text in gold:
        answers.append({"text": text, "answer_start": len(squad_context)})
        squad_context += text + " | "
    squad_questions.append({"id": f"q{index}", "question": f"Question {index}?", "answers": answers})
squad_dataset = [{"title": "Fixture", "paragraphs": [{"context": squad_context, "qas": squad_questions}]}]
# One question is left without a prediction: the official script counts it as 0.
squad_predictions = {f"q{index}": prediction for index, (prediction, _) in enumerate(squad_pairs) if index != 5}

fixture = {
    "generator": f"scripts/make-metric-fixtures.py (scikit-learn {sklearn.__version__}, SciPy {scipy.__version__})",
    "classification": classification,
    "correlation": correlation,
    "squad": squad_cases,
    "squadDataset": {"version": "1.1", "data": squad_dataset},
    "squadPredictions": squad_predictions,
    "squadScores": official_evaluate(squad_dataset, squad_predictions),
}

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "metrics", "__fixtures__", "metrics.json")
with open(path, "w", encoding="utf-8") as handle:
    json.dump(fixture, handle, ensure_ascii=False, indent=1)
    handle.write("\n")
print(f"wrote {os.path.normpath(path)}")
