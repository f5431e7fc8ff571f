"""The [staff_web] settings file: known keys, types, and every problem named at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from central.web.settings import load_settings, settings_from_env
from kiosk.config import KNOWN_LANGUAGES
from kiosk.errors import ConfigError


def test_settings_file_is_read_and_checked(tmp_path: Path, monkeypatch):
    good = tmp_path / "web.toml"
    good.write_text('[staff_web]\nbase_url = "https://pv.example"\nlanguages = ["en", "cy"]\n'
                    'idle_seconds = 900\nalert_to = ["pals@example.nhs.uk"]\n'
                    f'contacts_key = "{tmp_path / "contacts.key"}"\n')  # fmt: skip
    s = load_settings(good)
    assert (s.base_url, s.languages, s.idle_seconds) == ("https://pv.example", ("en", "cy"), 900)
    assert s.alert_to == ("pals@example.nhs.uk",) and s.contacts_key == tmp_path / "contacts.key"
    bad = tmp_path / "bad.toml"
    bad.write_text('[staff_web]\nsmtp_port = "25"\nnonsense = 1\nlanguages = ["cy", "xx"]\n')
    with pytest.raises(ConfigError) as exc:
        load_settings(bad)
    assert exc.value.problems == ["staff_web.nonsense is not a known setting",
                                  "staff_web.smtp_port must be like 25",
                                  "staff_web.languages must include en and use only"
                                  f" {KNOWN_LANGUAGES}"]
    monkeypatch.setenv("KIOSK_CENTRAL_STAFF_WEB", str(good))
    assert settings_from_env().base_url == "https://pv.example"
    monkeypatch.delenv("KIOSK_CENTRAL_STAFF_WEB")
    (tmp_path / "contacts.key").write_text("x")
    assert settings_from_env(tmp_path).contacts_key == tmp_path / "contacts.key"
