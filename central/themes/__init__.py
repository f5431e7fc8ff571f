"""Suggested themes and sentiment for free-text comments (NHS England qualitative framework).

    suggester = Suggester.default()              # the shipped model + the rules
    [s] = suggester.suggest([("The nurses were kind and caring", "en")])
    s.themes[0].label, s.themes[0].why, s.sentiment, s.source

English comments are themed by the model trained on 4,985 real FFT comments labelled by NHS
analysts (central/themes/data/NOTICE.md); other languages get only the transparent English keyword
rules (central.themes.rules), which rarely match them, and ``source`` says "rules" so the page can
say so. For English, the rules also speak for the sub-categories too rare in the data to train.
No model or data is downloaded at run time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from central.themes.framework import CATEGORIES, CATEGORY_OF, DEFINITIONS, SENTIMENTS, SUBCATEGORIES
from central.themes.model import DEFAULT_MODEL, ModelError, ThemeModel
from central.themes.rules import rule_matrix, rule_sentiment, rule_themes

__all__ = ["CATEGORIES", "DEFINITIONS", "SENTIMENTS", "SUBCATEGORIES", "ModelError", "Suggester",
           "Suggestion", "Theme"]  # fmt: skip


@dataclass(frozen=True)
class Theme:
    label: str  # a framework sub-category
    category: str
    why: tuple[str, ...]  # the words in the comment that triggered it


@dataclass(frozen=True)
class Suggestion:
    themes: tuple[Theme, ...]
    sentiment: str | None  # positive / mixed / negative; None: the rules found no cue
    sentiment_why: tuple[str, ...]
    source: str  # "model" (English) or "rules"


def _first(words: tuple[str, ...], n: int = 3) -> tuple[str, ...]:
    return tuple(dict.fromkeys(words))[:n]


def _theme(label: str, why: tuple[str, ...]) -> Theme:
    return Theme(label, CATEGORY_OF[label], why)


class Suggester:
    def __init__(self, model: ThemeModel | None) -> None:
        self.model = model

    @classmethod
    def default(cls, path: Path = DEFAULT_MODEL) -> Suggester:
        return cls(ThemeModel.load(path))

    def suggest(self, comments: list[tuple[str, str]]) -> list[Suggestion]:
        """One suggestion per (text, language tag), in order."""
        english = [i for i, (_, lang) in enumerate(comments) if self._uses_model(lang)]
        out: list[Suggestion | None] = [None] * len(comments)
        if english and self.model is not None:
            texts = [comments[i][0] for i in english]
            matches = [rule_themes(text) for text in texts]  # matched once: features and "why"
            scored = self.model.score(texts, rule_matrix(matches))
            trained = set(self.model.labels)
            for i, s, found in zip(english, scored, matches, strict=True):
                # The rule's own words first (the model weighs them too), then the model's.
                words = {m.label: m.words for m in found}
                themes = tuple(_theme(label, _first(words.get(label, ()) + why))
                               for label, why in s.themes)  # fmt: skip
                themes += tuple(_theme(m.label, m.words) for m in found if m.label not in trained)
                out[i] = Suggestion(themes, s.sentiment, s.sentiment_why, "model")
        for i, (text, _) in enumerate(comments):
            if out[i] is None:
                sentiment, why = rule_sentiment(text)
                themes = tuple(_theme(m.label, m.words) for m in rule_themes(text))
                out[i] = Suggestion(themes, sentiment, why, "rules")
        return [s for s in out if s is not None]

    def _uses_model(self, lang: str) -> bool:
        return self.model is not None and (lang == "en" or lang.startswith("en-"))
