"""docs/reports.md and the code agree: commands, options, settings (docs are tested)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from central.returns import _TRUST_KEYS, MODES, load_settings
from central.returns_cli import add_commands

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "reports.md").read_text()


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    add_commands(sub)
    return dict(sub.choices)


def test_every_command_and_option_in_the_doc_exists_and_vice_versa() -> None:
    commands = _commands()
    assert set(re.findall(r"kiosk-central ([\w-]+)", DOC)) == set(commands)
    usage = "\n".join(b for b in DOC.split("```") if b.lstrip().startswith("kiosk-central"))
    documented = set(re.findall(r"(--[a-z][a-z-]+)", usage))
    options = {
        opt
        for p in commands.values()
        for action in p._actions
        for opt in action.option_strings
        if opt.startswith("--") and opt != "--help"
    }
    assert documented == options, documented ^ options


def test_the_settings_example_loads_and_names_every_setting(tmp_path: Path) -> None:
    example = DOC.split("```toml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "reports.toml"
    path.write_text(example)
    settings = load_settings(path)
    assert settings.org_code == "REN" and settings.wards["ward-3"].spec1.startswith("800")
    for key in _TRUST_KEYS:
        assert f"\n{key} = " in example
    for mode in MODES:
        assert mode in example
