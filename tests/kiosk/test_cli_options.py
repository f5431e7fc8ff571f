"""Global options before or after the command (issue 17): `kiosk enrol --config F` and
`kiosk --config F enrol` mean the same, for every `kiosk` and `kiosk-central` command; a wrong
value is refused with a sentence naming the option and what to give instead."""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from central.cli import build_parser as central_parser
from central.cli import main as central_main
from kiosk.cli import COMMANDS, build_parser
from kiosk.cliargs import _subcommands
from kiosk.config import load_config, update_config
from tests.central.live import LiveCentral, central_keys, sqlite_central  # noqa: F401  (fixtures)
from tests.conftest import ROOT

#: what each command needs besides --config to parse at all
REQUIRED = {"enrol": ["--central", "https://pv.example.nhs.uk", "--code", "ABCD-1234"]}
CENTRAL_GLOBALS = {"--data-dir", "--database-url", "--keys-dir"}


def kiosk_cli(*argv: str, home: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    """The real console script in a fresh interpreter, as IT runs it."""
    env = {**os.environ, "HOME": str(home), "KIOSK_LOG_LEVEL": "WARNING"}
    env.pop("KIOSK_CONFIG", None)
    return subprocess.run([sys.executable, "-m", "kiosk.cli", *argv], cwd=ROOT, env=env,
                          input=stdin, capture_output=True, text=True, timeout=120)


def leaf_parsers(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    subs = {p.prog.split()[-1]: p for p in _subcommands(parser)}
    if not subs:
        yield path, parser
    for name, sub in subs.items():
        yield from leaf_parsers(sub, (*path, name))


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_kiosk_command_takes_config_before_or_after(command: str, tmp_path: Path) -> None:
    conf = str(tmp_path / "kiosk.toml")
    rest = REQUIRED.get(command, [])
    before = build_parser().parse_args(["--config", conf, command, *rest])
    after = build_parser().parse_args([command, *rest, "--config", conf])
    assert before.config == after.config == conf
    assert vars(before) == vars(after)
    assert build_parser().parse_args([command, *rest]).config is None  # left to $KIOSK_CONFIG


def test_the_later_config_wins_and_a_command_without_one_keeps_the_first(tmp_path) -> None:
    a, b = str(tmp_path / "a.toml"), str(tmp_path / "b.toml")
    assert build_parser().parse_args(["--config", a, "status"]).config == a
    assert build_parser().parse_args(["--config", a, "status", "--config", b]).config == b


def test_enrol_with_config_after_the_command_enrols(sqlite_central: LiveCentral,  # noqa: F811
                                                    tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    update_config({"kiosk": {"data_dir": str(tmp_path / "data")}}, config)
    proc = kiosk_cli("enrol", "--central", sqlite_central.url, "--code", sqlite_central.enrol(),
                     "--config", str(config), home=tmp_path)
    assert proc.returncode == 0, proc.stderr
    cfg = load_config(config)
    assert cfg.enrolled and cfg.device.location == "ward-3"
    assert cfg.central.token not in proc.stdout + proc.stderr


def test_check_config_reads_the_same_file_in_either_order(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    update_config({"kiosk": {"data_dir": str(tmp_path / "data")}}, config)
    before = kiosk_cli("--config", str(config), "check-config", home=tmp_path)
    after = kiosk_cli("check-config", "--config", str(config), home=tmp_path)
    assert before.returncode == after.returncode == 0, before.stderr + after.stderr
    assert f"config OK: {config}" in after.stdout and before.stdout == after.stdout


@pytest.mark.parametrize("order", ["before", "after"])
@pytest.mark.parametrize("value, says", [
    ("DIR", "is a directory; give the config file in it, e.g. "),
    ("", "is empty; give the config file's path"),
])
def test_a_wrong_config_value_is_refused_clearly(order, value, says, tmp_path: Path) -> None:
    value = str(tmp_path) if value == "DIR" else value
    argv = ["--config", value, "status"] if order == "before" else ["status", "--config", value]
    proc = kiosk_cli(*argv, home=tmp_path)
    assert proc.returncode == 2
    assert "argument --config: " + (value + " " if value else "") + says in proc.stderr
    assert "unrecognized arguments" not in proc.stderr


def test_config_without_its_value_says_so(tmp_path: Path) -> None:
    proc = kiosk_cli("status", "--config", home=tmp_path)
    assert proc.returncode == 2 and "argument --config: expected one argument" in proc.stderr


# --- kiosk-central ------------------------------------------------------------------------------

def test_every_central_command_takes_the_global_options() -> None:
    leaves = dict(leaf_parsers(central_parser()))
    assert {("devices",), ("staff", "add"), ("content", "set"), ("fft-return",)} <= set(leaves)
    for path, parser in leaves.items():
        copies = {o: a for a in parser._actions for o in a.option_strings if o in CENTRAL_GLOBALS}
        assert set(copies) == CENTRAL_GLOBALS, path
        # a copy must not overwrite what was given before the command
        assert all(a.default is argparse.SUPPRESS for a in copies.values()), path


def test_central_devices_reads_the_same_data_dir_in_either_order(tmp_path: Path,
                                                                 capsys) -> None:
    data = tmp_path / "central-data"
    assert central_main(["devices", "--json", "--data-dir", str(data)]) == 0
    after = capsys.readouterr().out
    assert (data / "central.sqlite").is_file()  # the option reached the command
    assert central_main(["--data-dir", str(data), "devices", "--json"]) == 0
    assert capsys.readouterr().out == after
    url = f"sqlite:///{tmp_path / 'other.sqlite'}"
    assert central_main(["--data-dir", str(data), "stats", "--database-url", url]) == 0
    assert (tmp_path / "other.sqlite").is_file()


@pytest.mark.parametrize("argv, says", [
    (["devices", "--database-url", "mysql://db/pv"],
     "argument --database-url: 'mysql' is not a database URL; give sqlite:///FILE or"),
    (["--database-url", "mysql://db/pv", "devices"], "'mysql' is not a database URL"),
    (["staff", "list", "--data-dir", "FILE"], "argument --data-dir: FILE is a file; give the "
                                              "directory that holds it"),
    (["stats", "--keys-dir", ""], "argument --keys-dir: is empty; give a directory"),
])
def test_a_wrong_central_value_is_refused_clearly(argv, says, tmp_path: Path, capsys) -> None:
    (tmp_path / "FILE").write_text("not a directory\n")
    argv = [str(tmp_path / "FILE") if a == "FILE" else a for a in argv]
    says = says.replace("FILE is", f"{tmp_path / 'FILE'} is")
    with pytest.raises(SystemExit) as exc:
        central_main(argv)
    assert exc.value.code == 2 and says in capsys.readouterr().err
