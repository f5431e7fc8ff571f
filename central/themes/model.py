"""The shipped theme model: load it, theme comments in batches, say why.

A model file is a joblib dict written by central.themes.train.train (see scripts/train_themes.py):
two fitted TF-IDF vectorisers and the keyword rules it was trained with, one weight column per
sub-category with its threshold, and a 3-class sentiment layer. Scores are one sparse matrix
product, so a page of 500 comments takes milliseconds.
"Why" for a model theme is the comment's words that pushed that theme's score up the most (word
features only; character n-grams are not shown, they would not read as words).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from scipy.sparse import csr_matrix, hstack

from central.themes.rules import KEYWORDS, rule_features

DEFAULT_MODEL = Path(__file__).parent / "data" / "fft-themes.joblib"
WHY_WORDS = 3
# Words that carry weight in a linear model but explain nothing to a reader.
QUIET = frozenset("a an and are as at be but by for from had has have i in is it me my of on or so "
                  "that the their there they this to was we were with you".split())


class ModelError(Exception):
    """The model file is missing or not a theme model."""


@dataclass(frozen=True)
class Scored:
    """What the model says about one comment."""

    themes: tuple[tuple[str, tuple[str, ...]], ...]  # (sub-category, why words), strongest first
    sentiment: str
    sentiment_why: tuple[str, ...]


def save(model: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, path, compress=("xz", 6))


class ThemeModel:
    def __init__(self, model: dict[str, Any]) -> None:
        self.raw = model
        self.labels: list[str] = list(model["labels"])
        self.words, self.chars = model["words"], model["chars"]
        self.weights = np.asarray(model["weights"], dtype=np.float32)
        self.bias, self.thresholds = model["bias"], model["thresholds"]
        self.sentiments: list[str] = list(model["sentiments"])
        self.sentiment_weights = np.asarray(model["sentiment_weights"], dtype=np.float32)
        self.sentiment_bias = model["sentiment_bias"]
        self.n_words = len(self.words.vocabulary_)
        self.terms = self.words.get_feature_names_out()

    @classmethod
    def load(cls, path: Path = DEFAULT_MODEL) -> ThemeModel:
        try:
            model = joblib.load(path)
        except FileNotFoundError as exc:
            raise ModelError(f"no theme model at {path}: run scripts/train_themes.py") from exc
        except Exception as exc:  # a truncated or foreign pickle: say which file
            raise ModelError(f"{path} is not a readable theme model ({exc}): retrain it with "
                             "scripts/train_themes.py") from exc  # fmt: skip
        if not isinstance(model, dict) or model.get("format") != 1:
            raise ModelError(f"{path} is not a format-1 theme model: retrain it with "
                             "scripts/train_themes.py")  # fmt: skip
        if [tuple(r) for r in model.get("rules", [])] != list(KEYWORDS.items()):
            raise ModelError(f"{path} was trained with other keyword rules than "
                             "central/themes/rules.py has now: retrain it with "
                             "scripts/train_themes.py")  # fmt: skip
        return cls(model)

    def features(self, texts: list[str], rules: csr_matrix | None = None) -> csr_matrix:
        """``rules``: rule_matrix of the same texts when the caller has matched them already."""
        rules = rule_features(texts) if rules is None else rules
        return hstack([self.words.transform(texts), self.chars.transform(texts), rules]).tocsr()

    def scores(self, texts: list[str], rules: csr_matrix | None = None
               ) -> tuple[csr_matrix, np.ndarray, np.ndarray]:  # fmt: skip
        x = self.features(texts, rules)
        themes = x @ self.weights + self.bias - self.thresholds  # ≥ 0: suggested
        return x, themes, x @ self.sentiment_weights + self.sentiment_bias

    def predict(self, texts: list[str]) -> tuple[np.ndarray, list[str]]:
        """0/1 matrix (comments × self.labels) and one sentiment per comment; no "why"."""
        _, themes, sentiment = self.scores(texts)
        return (themes >= 0).astype(np.int8), [self.sentiments[k] for k in sentiment.argmax(1)]

    def score(self, texts: list[str], rules: csr_matrix | None = None) -> list[Scored]:
        x, themes, sentiment = self.scores(texts, rules)
        out = []
        for row in range(len(texts)):
            found = np.flatnonzero(themes[row] >= 0)
            found = found[np.argsort(-themes[row, found])]
            k = int(sentiment[row].argmax())
            out.append(Scored(
                tuple((self.labels[j], self._why(x, row, self.weights[:, j])) for j in found),
                self.sentiments[k], self._why(x, row, self.sentiment_weights[:, k])))
        return out

    def _why(self, x: csr_matrix, row: int, column: np.ndarray) -> tuple[str, ...]:
        start, end = x.indptr[row], x.indptr[row + 1]
        idx, vals = x.indices[start:end], x.data[start:end]
        keep = idx < self.n_words
        idx, contrib = idx[keep], vals[keep] * column[idx[keep]]
        words = []
        for k in np.argsort(-contrib):
            if contrib[k] <= 0 or len(words) == WHY_WORDS:
                break
            word = str(self.terms[idx[k]])
            if not set(word.split()) <= QUIET:
                words.append(word)
        return tuple(words)
