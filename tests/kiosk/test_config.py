"""kiosk.config: path resolution, validation naming every problem, atomic 0600 writes."""
from __future__ import annotations

import argparse
import logging
import os
import stat
from pathlib import Path

import pytest

from kiosk import config as config_mod
from kiosk.cli import main as cli_main
from kiosk.config import (
    DEFAULT_SURVEY,
    KNOWN_LANGUAGES,
    check_main,
    config_path,
    load_config,
    save_config,
    update_config,
)
from kiosk.crypto import PrivateKey
from kiosk.errors import ConfigError
from kiosk.pin import hash_pin
from kiosk.store import STORE_FILENAME

TOKEN = "tok_9f8e7d6c5b4a39281706f5e4d3c2b1a0"


@pytest.fixture(scope="module")
def pubkeys() -> tuple[str, str]:
    return (PrivateKey.generate().public_key().to_text(),
            PrivateKey.generate().public_key().to_text())


def enrolled_toml(pubkeys: tuple[str, str], tmp_path: Path) -> str:
    return f"""
[device]
id = "kiosk-0007"
site = "REN"
location = "ward-3"
location_name = "Ward 3 outpatients"

[central]
url = "https://central.example.nhs.uk/"
token = "{TOKEN}"

[keys]
responses = "{pubkeys[0]}"
contacts = "{pubkeys[1]}"

[kiosk]
languages = ["en", "cy", "pl"]
default_language = "cy"
idle_seconds = 120
data_dir = "{tmp_path / 'data'}"
"""


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def test_path_resolution_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIOSK_CONFIG", str(tmp_path / "env.toml"))
    assert config_path(str(tmp_path / "flag.toml")) == tmp_path / "flag.toml"
    assert config_path(None) == tmp_path / "env.toml"
    monkeypatch.delenv("KIOSK_CONFIG")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert config_path(None) == tmp_path / ".config/patient-voice/kiosk.toml"


def test_an_enrolled_config_loads_with_its_values_and_defaults(tmp_path, pubkeys) -> None:
    cfg = load_config(write(tmp_path / "k.toml", enrolled_toml(pubkeys, tmp_path)))
    assert cfg.enrolled
    assert cfg.warnings == ("[staff] pin_hash is not set: the staff screen is locked until a "
                            "PIN is set with `kiosk set-pin`",)
    assert (cfg.device.id, cfg.device.site, cfg.device.location) == ("kiosk-0007", "REN", "ward-3")
    assert cfg.central.url == "https://central.example.nhs.uk"  # trailing slash dropped
    assert cfg.kiosk.languages == ("en", "cy", "pl") and cfg.kiosk.default_language == "cy"
    assert (cfg.kiosk.idle_seconds, cfg.kiosk.warning_seconds) == (120, 30)
    assert cfg.kiosk.survey == DEFAULT_SURVEY and DEFAULT_SURVEY.is_file()
    assert cfg.store_path == tmp_path / "data" / STORE_FILENAME
    responses, contacts = cfg.sealers()
    assert responses.public_key.to_text() == pubkeys[0] and contacts.purpose == "contacts"


def test_an_empty_config_is_a_valid_unenrolled_kiosk(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    cfg = load_config(write(tmp_path / "k.toml", ""))
    assert not cfg.enrolled
    assert cfg.kiosk.languages == KNOWN_LANGUAGES and cfg.kiosk.default_language == "en"
    assert (cfg.kiosk.idle_seconds, cfg.kiosk.warning_seconds) == (90, 30)
    assert cfg.kiosk.data_dir == tmp_path / ".local/share/patient-voice"
    assert any("not enrolled" in w for w in cfg.warnings)
    with pytest.raises(ConfigError, match="no public keys yet; run `kiosk enrol`"):
        cfg.sealers()


def test_every_problem_is_named_with_its_key_and_what_to_do(tmp_path) -> None:
    bad = """
[device]
id = "kiosk 7"
[central]
url = "http://central.example.nhs.uk"
token = "abc def"
[keys]
responses = "ssh-rsa AAAA"
[kiosk]
languages = ["en", "klingon"]
default_language = "fr"
idle_seconds = 25
warning_seconds = 10
survey = "nowhere.json"
organisation = "The Northfield and District Cancer Centre NHS Foundation Trust"
idle_secs = 5
[staff]
pin_hash = "1234"
[kiosks]
"""
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path / "k.toml", bad))
    problems = "\n".join(info.value.problems)
    for expected in [
        "[device] id: 'kiosk 7' may use only letters",
        "[central] url: 'http://central.example.nhs.uk' must start with https://",
        "[central] token: has spaces around or inside it",
        "[keys] responses: not a Patient Voice public key (expected pv1-pub:…",
        "run `kiosk enrol` or ask IT",
        "[keys] contacts: missing, but the kiosk is partly enrolled",
        "[kiosk] languages: 'klingon' is not a known language tag",
        "[kiosk] default_language: 'fr' must be one of the languages",
        "[kiosk] idle_seconds: must be a whole number of seconds from 30 to 3600",
        "[kiosk] warning_seconds: must be a whole number of seconds from 20",
        f"[kiosk] survey: {tmp_path / 'nowhere.json'} does not exist",
        "[kiosk] organisation: must be a short name on one line (at most 32 characters)",
        "[kiosk] idle_secs: unknown key; did you mean idle_seconds?",
        "[staff] pin_hash: not a scrypt$n$r$p$salt$hash PIN hash; set a new PIN",
        "[kiosks]: unknown section; did you mean [kiosk]?",
        "[device] site: missing; an enrolled kiosk needs its site",
    ]:
        assert expected in problems, expected
    assert "abc def" not in str(info.value)  # the token is never echoed


def test_organisation_is_shown_as_written(tmp_path) -> None:
    cfg = load_config(write(tmp_path / "k.toml", '[kiosk]\norganisation = "Northfield NHS FT"\n'))
    assert cfg.kiosk.organisation == "Northfield NHS FT"
    assert load_config(write(tmp_path / "e.toml", "")).kiosk.organisation is None


def test_warning_may_be_longer_than_idle(tmp_path) -> None:
    # The warning comes *after* idle_seconds (screens/idle.py), so any pair in range is fine.
    text = "[kiosk]\nidle_seconds = 45\nwarning_seconds = 60\n"
    cfg = load_config(write(tmp_path / "k.toml", text))
    assert (cfg.kiosk.idle_seconds, cfg.kiosk.warning_seconds) == (45, 60)


def test_not_toml_and_missing_file_are_clear(tmp_path) -> None:
    with pytest.raises(ConfigError, match="is not valid TOML"):
        load_config(write(tmp_path / "k.toml", "[kiosk\n"))
    with pytest.raises(ConfigError, match="no config file at .*missing.toml: create it"):
        load_config(tmp_path / "missing.toml")
    assert not load_config(tmp_path / "missing.toml", missing_ok=True).enrolled


def test_plain_http_is_allowed_only_to_this_machine(tmp_path) -> None:
    for url in ("http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000"):
        update = {"central": {"url": url}}
        with pytest.raises(ConfigError) as info:  # partly enrolled, but the url itself is fine
            update_config(update, tmp_path / f"{abs(hash(url))}.toml")
        assert "[central] url" not in "\n".join(info.value.problems)


def test_the_token_never_shows_in_repr_str_or_logs(tmp_path, pubkeys, caplog) -> None:
    cfg = load_config(write(tmp_path / "k.toml", enrolled_toml(pubkeys, tmp_path)))
    assert cfg.central.token == TOKEN
    logging.getLogger("test").warning("config: %s %r", cfg, cfg.central)
    for text in (repr(cfg), str(cfg), repr(cfg.central), caplog.text):
        assert TOKEN not in text
    assert "<hidden>" in repr(cfg.central)


def test_update_creates_the_file_0600_and_keeps_other_keys(tmp_path, pubkeys) -> None:
    path = tmp_path / "sub" / "kiosk.toml"
    update_config({"kiosk": {"idle_seconds": 100}}, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    cfg = update_config({
        "device": {"id": "kiosk-1", "site": "REN", "location": "ed"},
        "central": {"url": "https://c.example", "token": TOKEN},
        "keys": {"responses": pubkeys[0], "contacts": pubkeys[1]},
    }, path)
    assert cfg.enrolled and cfg.kiosk.idle_seconds == 100
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not [p for p in path.parent.iterdir() if p.name != "kiosk.toml"]  # no temp left


def test_a_bad_update_writes_nothing(tmp_path) -> None:
    path = write(tmp_path / "k.toml", "[kiosk]\nidle_seconds = 100\n")
    before = path.read_bytes()
    with pytest.raises(ConfigError, match="idle_seconds"):
        update_config({"kiosk": {"idle_seconds": 5}}, path)
    assert path.read_bytes() == before


def test_update_with_none_removes_a_key(tmp_path) -> None:
    path = write(tmp_path / "k.toml", "[kiosk]\nidle_seconds = 100\n")
    assert update_config({"kiosk": {"idle_seconds": None}}, path).kiosk.idle_seconds == 90
    assert "idle_seconds" not in path.read_text()


def test_save_round_trips_and_leaves_defaults_out(tmp_path, pubkeys) -> None:
    cfg = load_config(write(tmp_path / "k.toml", enrolled_toml(pubkeys, tmp_path)))
    target = save_config(cfg, tmp_path / "copy.toml")
    again = load_config(target)
    assert again.device == cfg.device and again.kiosk == cfg.kiosk and again.keys == cfg.keys
    assert again.central.token == TOKEN
    assert "warning_seconds" not in target.read_text()  # still at its default
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_failed_write_keeps_the_old_file(tmp_path, monkeypatch) -> None:
    path = write(tmp_path / "k.toml", "[kiosk]\nidle_seconds = 100\n")

    def no_space(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(config_mod.os, "replace", no_space)
    with pytest.raises(ConfigError, match="No space left on device.*old file is unchanged"):
        update_config({"kiosk": {"idle_seconds": 200}}, path)
    assert load_config(path).kiosk.idle_seconds == 100
    assert [p.name for p in tmp_path.iterdir()] == ["k.toml"]


def test_check_config_ok_with_warnings(tmp_path, capsys, pubkeys) -> None:
    path = write(tmp_path / "k.toml", enrolled_toml(pubkeys, tmp_path) +
                 f'[staff]\npin_hash = "{hash_pin("2468")}"\n')
    assert check_main(argparse.Namespace(config=str(path))) == 0
    assert capsys.readouterr().out == f"config OK: {path}\n"
    path.chmod(0o644)
    assert check_main(argparse.Namespace(config=str(path))) == 0
    out = capsys.readouterr().out
    assert "readable by other users (mode 0644)" in out and TOKEN not in out


def test_check_config_through_the_cli(tmp_path, capsys, monkeypatch) -> None:
    path = write(tmp_path / "k.toml", "")
    monkeypatch.setenv("KIOSK_CONFIG", str(path))
    assert cli_main(["check-config"]) == 0
    out = capsys.readouterr().out
    assert "warning: this kiosk is not enrolled yet" in out and f"config OK: {path}" in out
    write(path, '[kiosk]\ndefault_language = "xx"\n')
    assert cli_main(["--config", str(path), "check-config"]) == 2
    out = capsys.readouterr().out
    assert f"config has problems: {path}" in out
    assert "  - [kiosk] default_language: 'xx' must be one of" in out


def test_config_file_is_never_left_world_readable_by_umask(tmp_path) -> None:
    old = os.umask(0)
    try:
        path = tmp_path / "k.toml"
        update_config({"kiosk": {"idle_seconds": 100}}, path)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


DOC = Path(__file__).resolve().parents[2] / "docs" / "config.md"


def _documented_keys() -> dict[str, set[str]]:
    """``{section: {key, …}}`` from the "### [section]" tables of docs/config.md."""
    found: dict[str, set[str]] = {}
    section = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("### ["):
            section = line[5:line.index("]")]
            found[section] = set()
        elif line.startswith("## "):
            section = None
        elif section and line.startswith("| `"):
            found[section].add(line.split("`")[1])
    return found


def test_docs_name_every_config_key_and_no_other() -> None:
    assert _documented_keys() == {s: set(keys) for s, keys in config_mod._SCHEMA.items()}


def test_docs_commands_exist() -> None:
    from kiosk.cli import COMMANDS

    text = DOC.read_text(encoding="utf-8")
    named = {line.split("`")[1].split()[1] for line in text.splitlines()
             if line.startswith("| `kiosk ")}
    assert named == {"check-config", "status", "enrol", "set-pin"} and named <= set(COMMANDS)
    assert "| `python -m kiosk.pin" in text
