"""Train the default theme and sentiment model from the labelled FFT comments (reproducibly).

Features: TF-IDF of word 1-2-grams and of character 3-5-grams (within words), which copes with
typing errors, plus one 0/1 column per keyword rule (central.themes.rules), so the model can lean on
the same words a reader sees in the rules (changing the rules means retraining). Themes: one
linear SVM per sub-category (one-vs-rest) with its own threshold, tuned for F1 on 3-fold
out-of-fold scores of the training split only. Sentiment: one 3-class linear SVM.
Everything random takes ``seed``; the held-out test split's comment ids are stored in the model so
bench/themes.py scores exactly the comments the model never saw. scikit-learn is imported here and
in central.themes.model only.
"""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score
from sklearn.model_selection import KFold, train_test_split
from sklearn.svm import LinearSVC

from central.themes.framework import NOT_THEMES, SUBCATEGORIES, sentiment_of
from central.themes.rules import KEYWORDS, rule_features

SEED = 16
MIN_TRAIN_EXAMPLES = 10  # fewer than this in the data: left to the rules
FIRST_LABEL_COLUMN = 11  # the README: one-hot sub-category columns after "Comment sentiment"


class TrainingError(Exception):
    """The labelled data is missing or not in the expected shape."""


@dataclass(frozen=True)
class Labelled:
    ids: list[str]
    texts: list[str]
    labels: list[str]
    y: np.ndarray  # comments × labels, 0/1
    sentiment: list[str | None]


def find_data(start: Path | None = None) -> Path:
    """shared/data/fft-comments/labelled.csv in the nearest parent folder that has one."""
    here = (start or Path(__file__)).resolve()
    for folder in here.parents:
        candidate = folder / "shared" / "data" / "fft-comments" / "labelled.csv"
        if candidate.is_file():
            return candidate
    raise TrainingError(f"no shared/data/fft-comments/labelled.csv above {here}: "
                        "pass the file with --data")  # fmt: skip


def load_labelled(path: Path, limit: int | None = None) -> Labelled:
    """Read the README's columns; every framework sub-category present becomes a label."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows or "FFT answer" not in rows[0]:
        raise TrainingError(f"{path}: no 'FFT answer' column: is this the labelled FFT file?")
    columns = list(rows[0])[FIRST_LABEL_COLUMN:]
    unknown = [c for c in columns if c not in SUBCATEGORIES and c not in NOT_THEMES]
    if unknown:
        raise TrainingError(f"{path}: columns {unknown} are not framework sub-categories")
    rows = rows[:limit] if limit else rows
    counts = {c: sum(r[c].strip() == "1" for r in rows) for c in columns if c not in NOT_THEMES}
    labels = [c for c in columns if counts.get(c, 0) >= MIN_TRAIN_EXAMPLES]
    y = np.array([[r[c].strip() == "1" for c in labels] for r in rows], dtype=np.int8)
    return Labelled([r["Comment ID"] for r in rows], [r["FFT answer"] for r in rows], labels, y,
                    [sentiment_of(r["Comment sentiment"]) for r in rows])  # fmt: skip


def split(data: Labelled, seed: int = SEED, test_size: float = 0.2) -> tuple[list[int], list[int]]:
    """Train / held-out test row numbers (fixed by ``seed``)."""
    train, test = train_test_split(np.arange(len(data.texts)), test_size=test_size,
                                   random_state=seed)  # fmt: skip
    return sorted(train.tolist()), sorted(test.tolist())


def _vectorisers() -> tuple[TfidfVectorizer, TfidfVectorizer]:
    words = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True,
                            strip_accents="unicode", dtype=np.float32)  # fmt: skip
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=2, sublinear_tf=True,
                            max_features=20000, dtype=np.float32)  # fmt: skip
    return words, chars


def _fit_features(texts: list[str]) -> tuple[tuple[TfidfVectorizer, TfidfVectorizer], csr_matrix]:
    words, chars = _vectorisers()
    x = hstack([words.fit_transform(texts), chars.fit_transform(texts), rule_features(texts)])
    return (words, chars), x.tocsr()


def _svm(seed: int) -> LinearSVC:
    return LinearSVC(C=0.2, random_state=seed)


def _fit_labels(x: csr_matrix, y: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Weights (features × labels) and intercepts of one SVM per label column."""
    weights = np.zeros((x.shape[1], y.shape[1]), dtype=np.float32)
    bias = np.zeros(y.shape[1], dtype=np.float32)
    for j in range(y.shape[1]):
        if y[:, j].min() == y[:, j].max():
            bias[j] = 1.0 if y[0, j] else -1.0  # a fold with one class only: constant
            continue
        svm = _svm(seed).fit(x, y[:, j])
        weights[:, j], bias[j] = svm.coef_[0], svm.intercept_[0]
    return weights, bias


def _thresholds(texts: list[str], y: np.ndarray, seed: int) -> np.ndarray:
    """Per label, the score cut-off that maximises F1 on 3-fold out-of-fold scores."""
    scores = np.zeros(y.shape, dtype=np.float32)
    for fit_rows, score_rows in KFold(3, shuffle=True, random_state=seed).split(texts):
        vec, x = _fit_features([texts[i] for i in fit_rows])
        weights, bias = _fit_labels(x, y[fit_rows], seed)
        scores[score_rows] = _features(vec, [texts[i] for i in score_rows]) @ weights + bias
    cuts = np.zeros(y.shape[1], dtype=np.float32)
    for j in range(y.shape[1]):
        candidates = np.unique(np.quantile(scores[:, j], np.linspace(0.5, 0.999, 200)))
        f1 = [f1_score(y[:, j], scores[:, j] >= c, zero_division=0) for c in candidates]
        cuts[j] = candidates[int(np.argmax(f1))]
    return cuts


def _features(vec: tuple[TfidfVectorizer, TfidfVectorizer], texts: list[str]) -> csr_matrix:
    return hstack([vec[0].transform(texts), vec[1].transform(texts), rule_features(texts)]).tocsr()


def train(data: Labelled, rows: list[int], seed: int = SEED) -> dict[str, Any]:
    """The model as a plain dict of arrays and fitted vectorisers (what model.save writes)."""
    started = time.perf_counter()
    texts, y = [data.texts[i] for i in rows], data.y[rows]
    cuts = _thresholds(texts, y, seed)
    vec, x = _fit_features(texts)
    weights, bias = _fit_labels(x, y, seed)
    known = [k for k, i in enumerate(rows) if data.sentiment[i] is not None]
    sentiment = _svm(seed).fit(x[known], [data.sentiment[rows[k]] for k in known])
    for v in vec:  # the cut-off terms: not needed to transform, and they would bloat the file
        if hasattr(v, "stop_words_"):
            del v.stop_words_
    return {"format": 1, "labels": data.labels, "rules": list(KEYWORDS.items()),
            "words": vec[0], "chars": vec[1],
            "weights": weights.astype(np.float16), "bias": bias, "thresholds": cuts,
            "sentiments": [str(c) for c in sentiment.classes_],
            "sentiment_weights": sentiment.coef_.T.astype(np.float16),
            "sentiment_bias": sentiment.intercept_.astype(np.float32), "seed": seed,
            "trained_on": len(rows), "sklearn": sklearn.__version__,
            "seconds": round(time.perf_counter() - started, 1)}  # fmt: skip
