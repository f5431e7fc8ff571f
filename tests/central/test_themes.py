"""Themes in free text: the shipped model, the transparent rules, and reproducible training."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from central.themes import DEFINITIONS, SUBCATEGORIES, ModelError, Suggester
from central.themes.framework import CATEGORY_OF, NOT_THEMES
from central.themes.model import DEFAULT_MODEL, ThemeModel
from central.themes.rules import rule_sentiment, rule_themes
from central.themes.train import FIRST_LABEL_COLUMN, TrainingError, find_data, load_labelled
from scripts.train_themes import build


def _data() -> Path:
    try:
        return find_data(Path(__file__))
    except TrainingError:
        pytest.skip("the labelled FFT comments (shared/data/fft-comments) are not beside this repo")


@pytest.fixture(scope="module")
def suggester() -> Suggester:
    return Suggester.default()


def _labels(suggestion) -> list[str]:
    return [t.label for t in suggestion.themes]


def test_the_shipped_model_is_small_and_themes_clear_comments(suggester):
    assert DEFAULT_MODEL.stat().st_size < 5_000_000
    assert (DEFAULT_MODEL.parent / "NOTICE.md").read_text().count("Copyright (c) 2021 NHS England")
    kind, wait, phone, told = suggester.suggest([
        ("the nurses were kind and caring", "en"),
        ("I waited four hours to be seen", "en"),
        ("Could not get through on the phone for days", "en"),
        ("The doctor explained everything clearly and listened to me", "en")])  # fmt: skip
    assert kind.source == "model" and _labels(kind) == ["Staff manner & personal attributes"]
    assert kind.sentiment == "positive" and "kind" in kind.themes[0].why
    assert "Timeliness of care" in _labels(wait) and wait.sentiment == "negative"
    assert "waited" in " ".join(wait.themes[0].why)
    assert "Contacting services" in _labels(phone) and phone.sentiment == "negative"
    assert {"Information directly from staff during care",
            "Staff listening, understanding & involving patients"} <= set(_labels(told))
    assert all(t.category == CATEGORY_OF[t.label] for s in (kind, wait, phone, told)
               for t in s.themes)  # fmt: skip


def test_rare_sub_categories_fall_to_the_rules_in_english(suggester):
    [parking] = suggester.suggest([("The car park was full, parking is a nightmare", "en")])
    found = {t.label: t.why for t in parking.themes}
    assert found["Parking"] == ("car park", "parking")  # one example in the data: not trained
    assert "Parking" not in suggester.model.labels


def test_other_languages_get_the_rules_and_say_so(suggester):
    polish, welsh = suggester.suggest([("Pielęgniarki były bardzo miłe", "pl"),
                                       ("The food was cold, staff rude", "cy")])  # fmt: skip
    assert polish.source == "rules" and polish.themes == () and polish.sentiment is None
    assert welsh.source == "rules"
    assert {t.label: t.why for t in welsh.themes} == {
        "Staff manner & personal attributes": ("rude",),
        "Food & drink provision & facilities": ("food",)}  # fmt: skip
    assert welsh.sentiment == "negative" and welsh.sentiment_why == ("rude",)


def test_the_rules_return_their_triggering_words():
    matches = {m.label: m.words for m in rule_themes("Waited ages. The nurse was KIND, so kind.")}
    assert matches["Timeliness of care"] == ("waited",)
    assert matches["Staff manner & personal attributes"] == ("kind",)  # once, lower case
    assert rule_sentiment("Lovely staff but we waited too long") == ("mixed", ("lovely", "waited"))
    assert rule_sentiment("Nothing to add") == (None, ())


def test_the_framework_covers_every_label_in_the_data():
    path = _data()
    with path.open(encoding="utf-8", newline="") as handle:
        columns = next(csv.reader(handle))[FIRST_LABEL_COLUMN:]
    assert set(columns) == set(SUBCATEGORIES) | set(NOT_THEMES)
    assert all(DEFINITIONS[s] for s in SUBCATEGORIES)


def test_training_on_a_subset_is_deterministic(tmp_path):
    path = _data()
    one = build(path, tmp_path / "one.joblib", limit=500)
    two = build(path, tmp_path / "two.joblib", limit=500)
    assert one["labels"] == two["labels"] and one["test_ids"] == two["test_ids"]
    for key in ("weights", "bias", "thresholds", "sentiment_weights", "sentiment_bias"):
        assert np.array_equal(one[key], two[key]), key
    subset = load_labelled(path, 500)
    assert len(one["test_ids"]) == 100 and set(one["test_ids"]) <= set(subset.ids)
    assert one["trained_on"] == 400  # the held-out 100 were not trained on
    model = ThemeModel.load(tmp_path / "one.joblib")
    texts = ["the nurses were kind and caring", "waited hours"]
    assert np.array_equal(model.predict(texts)[0], ThemeModel.load(tmp_path / "two.joblib")
                          .predict(texts)[0])  # fmt: skip


def test_a_missing_or_foreign_model_file_says_what_to_do(tmp_path):
    with pytest.raises(ModelError, match="run scripts/train_themes.py"):
        ThemeModel.load(tmp_path / "absent.joblib")
    (tmp_path / "junk.joblib").write_text("not a model")
    with pytest.raises(ModelError, match="retrain it with scripts/train_themes.py"):
        ThemeModel.load(tmp_path / "junk.joblib")
