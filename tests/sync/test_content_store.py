"""kiosk.content.ContentStore: last good content, refused updates, YSWH by language."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.content import ContentError, ContentStore
from kiosk.errors import SurveyValidationError
from tests.central.live import FFT_SURVEY

ITEM = {
    "id": "parking",
    "title": {"en": "Parking", "cy": "Parcio"},
    "said": {"en": "Parking is hard"},
    "did": {"en": "We added 20 spaces"},
    "when": {"en": "October 2026", "cy": "Hydref 2026"},
}


def _doc(**over: object) -> dict:
    doc = {
        "location": "ward-3",
        "surveys": [json.loads(FFT_SURVEY.read_text())],
        "settings": {
            "idle_seconds": 120,
            "warning_seconds": 30,
            "languages": ["en", "cy"],
            "default_language": "en",
        },
        "you_said_we_heard": [ITEM],
    }
    doc.update(over)
    return doc


def test_good_content_is_kept_and_survives_a_restart(tmp_path: Path) -> None:
    store = ContentStore(tmp_path)
    assert (
        store.version() is None and store.survey() is None and store.settings().idle_seconds == 90
    )
    store.apply(_doc(), '"v1"')
    again = ContentStore(tmp_path)
    assert again.version() == '"v1"' and again.survey().id == "fft"
    assert again.settings().languages == ("en", "cy")
    (cy,) = again.you_said_we_heard("cy")
    assert (cy.title, cy.said, cy.when) == ("Parcio", "Parking is hard", "Hydref 2026")
    assert again.you_said_we_heard("pl")[0].title == "Parking"


@pytest.mark.parametrize(
    "bad, error",
    [
        ({"settings": {"idle_seconds": 5}}, ContentError),
        ({"settings": {"languages": ["xx"]}}, ContentError),
        ({"you_said_we_heard": [{**ITEM, "did": {"cy": "only Welsh"}}]}, ContentError),
        ({"you_said_we_heard": [ITEM, ITEM]}, ContentError),
        ({"surveys": [{"id": "fft", "version": 2, "questions": []}]}, SurveyValidationError),
    ],
)
def test_a_bad_update_is_refused_and_the_last_good_content_stays(
    tmp_path: Path, bad: dict, error: type
) -> None:
    store = ContentStore(tmp_path)
    store.apply(_doc(), '"v1"')
    before = (tmp_path / "content.json").read_bytes()
    with pytest.raises(error):
        store.apply(_doc(**bad), '"v2"')
    assert store.version() == '"v1"' and store.settings().idle_seconds == 120
    assert (tmp_path / "content.json").read_bytes() == before


def test_a_damaged_file_is_treated_as_no_content(tmp_path: Path) -> None:
    (tmp_path / "content.json").write_text("{ half a file")
    store = ContentStore(tmp_path)
    assert store.version() is None and store.survey() is None


def test_a_bad_announced_key_is_refused(tmp_path: Path) -> None:
    store = ContentStore(tmp_path)
    with pytest.raises(ContentError, match="keys.responses"):
        store.apply(_doc(keys={"responses": "pv1-pub:not-a-key"}), '"v1"')
    assert store.version() is None
