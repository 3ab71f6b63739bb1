"""Golden outputs of the TF-IDF + linear baselines (scikit-learn 1.2, Debian's python3-sklearn).

Writes packages/tasks/src/baseline/__fixtures__/sklearn-baseline.json: a small seeded corpus of
three classes (and a regression target), and scikit-learn's TF-IDF features, multinomial logistic
regression probabilities and ridge predictions on held-out texts, with the settings pofa's
baseline uses: TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True) (lowercase, token pattern
\\b\\w\\w+\\b, smooth idf, l2 norm), LogisticRegression(C=10, multi_class='multinomial', lbfgs,
tol=1e-10, max_iter=10000), Ridge(alpha=1). scikit-learn's lbfgs stops with gradients near 1e-4 on
this data, so the fixture also holds the exact optimum of the same objective (summed
cross-entropy + ||W||^2 / (2C), intercepts not penalised), found by scipy's L-BFGS-B to a gradient
below 1e-8; ridge is solved exactly (dense Cholesky).

Run: /usr/bin/python3 packages/tasks/scripts/make-baseline-fixtures.py
"""
import json
import os
import random

import numpy as np
from scipy.optimize import minimize
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, Ridge

random.seed(7)
topics = {
    'sport': ['goal', 'match', 'team', 'score', 'coach', 'league', 'win', 'player'],
    'food': ['bread', 'soup', 'taste', 'cook', 'salt', 'dinner', 'recipe', 'oven'],
    'weather': ['rain', 'wind', 'cloud', 'storm', 'sunny', 'cold', 'forecast', 'snow'],
}
common = ['the', 'a', 'was', 'very', 'and', 'today', 'we', 'it', 'of', 'Every']
labels = sorted(topics)


def sentence(label):
    words = random.sample(topics[label], 3) + random.sample(common, 4)
    if random.random() < 0.3:
        other = random.choice([name for name in labels if name != label])
        words.append(random.choice(topics[other]))
    random.shuffle(words)
    return ' '.join(words) + random.choice(['.', '!', '?', ' :)'])


def rows(count):
    out = []
    for _ in range(count):
        label = random.choice(labels)
        text = sentence(label)
        target = float(len(text.split())) + 2.0 * labels.index(label)
        out.append({'text': text, 'label': label, 'target': target})
    return out


train, test = rows(90), rows(30)
vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
x_train = vectorizer.fit_transform([row['text'] for row in train])
x_test = vectorizer.transform([row['text'] for row in test])
classifier = LogisticRegression(C=10, multi_class='multinomial', solver='lbfgs', tol=1e-10, max_iter=10000)
classifier.fit(x_train, [row['label'] for row in train])
regressor = Ridge(alpha=1.0, solver='cholesky').fit(x_train.toarray(), [row['target'] for row in train])

dense_train = x_train.toarray()
codes = np.array([list(classifier.classes_).index(row['label']) for row in train])
onehot = np.eye(len(classifier.classes_))[codes]
size = len(classifier.classes_) * dense_train.shape[1]


def objective(point):
    weights = point[:size].reshape(len(classifier.classes_), -1)
    logits = dense_train @ weights.T + point[size:]
    top = logits.max(1, keepdims=True)
    logsum = np.log(np.exp(logits - top).sum(1)) + top[:, 0]
    probabilities = np.exp(logits - logsum[:, None])
    loss = (logsum - logits[np.arange(len(codes)), codes]).sum() + (weights ** 2).sum() / (2 * 10)
    return loss, np.concatenate([((probabilities - onehot).T @ dense_train + weights / 10).ravel(), (probabilities - onehot).sum(0)])


exact = minimize(objective, np.zeros(size + len(classifier.classes_)), jac=True, method='L-BFGS-B', options={'gtol': 1e-12, 'ftol': 1e-16, 'maxiter': 10000})
exact_logits = x_test.toarray() @ exact.x[:size].reshape(len(classifier.classes_), -1).T + exact.x[size:]
exact_logits -= exact_logits.max(1, keepdims=True)
exact_probabilities = np.exp(exact_logits) / np.exp(exact_logits).sum(1, keepdims=True)

first = x_test[0].tocoo()
fixture = {
    'generator': 'packages/tasks/scripts/make-baseline-fixtures.py',
    'sklearn': __import__('sklearn').__version__,
    'train': train,
    'test': test,
    'features': len(vectorizer.vocabulary_),
    'firstTestFeatures': {vectorizer.get_feature_names_out()[j]: float(v) for j, v in zip(first.col, first.data)},
    'classes': [str(name) for name in classifier.classes_],
    'probabilities': np.round(classifier.predict_proba(x_test), 10).tolist(),
    'exactProbabilities': np.round(exact_probabilities, 12).tolist(),
    'ridge': np.round(regressor.predict(x_test.toarray()), 10).tolist(),
}
out = os.path.join(os.path.dirname(__file__), '..', 'src', 'baseline', '__fixtures__', 'sklearn-baseline.json')
with open(out, 'w') as handle:
    json.dump(fixture, handle, indent=1)
    handle.write('\n')
print('wrote', out, fixture['features'], 'features')
