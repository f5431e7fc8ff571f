"""deploy/: the systemd units parse and say what docs/deploy.md promises; docs/deploy.md names
only commands and options that exist (read from the real `--help` of each CLI)."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import ROOT, missing

DEPLOY = ROOT / "deploy"
DOC = ROOT / "docs" / "deploy.md"
UNITS = sorted(DEPLOY.glob("*.service"))
DROP_INS = sorted(DEPLOY.glob("*.service.d/*.conf"))
# Programs the units run that this machine does not have: replaced by a stub for verify.
ELSEWHERE = (
    "/usr/bin/cage",
    "/usr/bin/xinit",
    "/opt/patient-voice/kiosk/kiosk",
    "/opt/patient-voice/venv/bin/kiosk-central",
)
KNOWN_SECTIONS = {"Unit", "Service", "Install"}


def parse_unit(path: Path) -> dict[str, list[tuple[str, str]]]:
    """systemd's format: [Section], Key=Value (keys repeat), # and ; comments, no continuation
    lines in our files. Raises AssertionError naming the line for anything else."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        text = line.strip()
        if not text or text[0] in "#;":
            continue
        where = f"{path.name}:{number}"
        if text.startswith("["):
            assert text.endswith("]"), f"{where}: bad section header"
            current = text[1:-1]
            assert current in KNOWN_SECTIONS, f"{where}: unknown section {current}"
            sections.setdefault(current, [])
            continue
        assert current is not None, f"{where}: key before any section"
        assert "=" in text and not text.endswith("\\"), f"{where}: not Key=Value"
        key, value = text.split("=", 1)
        assert re.fullmatch(r"[A-Za-z]+", key.strip()), f"{where}: bad key {key!r}"
        sections[current].append((key.strip(), value.strip()))
    return sections


def values(unit: dict, section: str, key: str) -> list[str]:
    return [v for k, v in unit.get(section, []) if k == key]


@pytest.mark.parametrize("path", UNITS + DROP_INS, ids=lambda p: p.name)
def test_units_parse(path: Path) -> None:
    assert parse_unit(path)["Service"]


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_every_service_restarts_always_and_never_gives_up_on_a_kiosk(path: Path) -> None:
    unit = parse_unit(path)
    assert values(unit, "Service", "Restart") == ["always"]
    assert values(unit, "Install", "WantedBy")
    if path.name.startswith("patient-voice-"):
        assert values(unit, "Unit", "StartLimitIntervalSec") == ["0"]


def test_kiosk_runs_under_cage_on_tty1_without_vt_switching() -> None:
    unit = parse_unit(DEPLOY / "patient-voice-kiosk.service")
    (start,) = values(unit, "Service", "ExecStart")
    argv = shlex.split(start)
    assert argv[0].endswith("/cage") and "-s" not in argv[: argv.index("--")]
    assert argv[argv.index("--") + 1 :] == ["/opt/patient-voice/kiosk/kiosk", "run"]
    assert values(unit, "Service", "TTYPath") == ["/dev/tty1"]
    assert values(unit, "Service", "User") == ["kiosk"]


def test_x11_drop_in_replaces_the_command() -> None:
    (conf,) = DROP_INS
    assert values(parse_unit(conf), "Service", "ExecStart")[0] == ""  # clear cage's line first
    argv = shlex.split(values(parse_unit(conf), "Service", "ExecStart")[1])
    assert argv[:3] == ["/usr/bin/xinit", "/opt/patient-voice/kiosk/kiosk", "run"]
    assert {"-nocursor", "-dpms"} <= set(argv)


def _exec_args(name: str) -> list[str]:
    (start,) = values(parse_unit(DEPLOY / name), "Service", "ExecStart")
    return shlex.split(start)


def test_unit_commands_are_accepted_by_the_real_parsers() -> None:
    from central.cli import build_parser as central_parser
    from kiosk.cli import build_parser as kiosk_parser

    central = central_parser().parse_args(_exec_args("kiosk-central.service")[1:])
    assert central.command == "serve" if hasattr(central, "command") else central.run
    assert kiosk_parser().parse_args(_exec_args("patient-voice-sync.service")[1:]).command == "sync"


def test_systemd_analyze_verify(tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        missing("systemd-analyze is not installed (Debian package systemd; scripts/setup.sh)")
    stub = tmp_path / "stub"
    stub.write_text("#!/bin/sh\nexit 0\n")
    stub.chmod(0o755)
    for path in UNITS + DROP_INS:
        target = tmp_path / path.relative_to(DEPLOY)
        target.parent.mkdir(parents=True, exist_ok=True)
        text = path.read_text(encoding="utf-8")
        for program in ELSEWHERE:
            text = text.replace(program, str(stub))
        target.write_text(text, encoding="utf-8")
    units = [str(p) for p in sorted(tmp_path.glob("*.service"))]
    proc = subprocess.run(
        ["systemd-analyze", "verify", *units], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


# ---------------------------------------------------------------- the doc names real commands


def help_of(main: Callable[[list[str]], int], argv: list[str]) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        main([*argv, "--help"])
    return out.getvalue()


def commands_in(help_text: str) -> set[str]:
    """Sub-command names from an argparse help's 'positional arguments' list."""
    block = help_text.split("positional arguments:", 1)[1].split("options:", 1)[0]
    names = set(re.findall(r"^    (\w[\w-]*)", block, re.M))
    braces = re.search(r"\{([\w,-]+)\}", block)
    return names | (set(braces.group(1).split(",")) if braces else set())


def options_in(help_text: str) -> dict[str, bool]:
    """Option -> whether it takes a value (an upper-case metavar or a {choice} follows it)."""
    block = help_text.split("options:", 1)[1]
    # two spaces: an option's own line (its description's lines are indented further)
    found = re.findall(r"^  (?:-\w(?: [A-Z_]+)?, )?(--?[\w][\w-]*)( [A-Z_{]\S*)?", block, re.M)
    return {name: bool(value) for name, value in found}


def doc_command_lines() -> list[list[str]]:
    """Every `kiosk ...`, `kiosk-central ...` and `python -m kiosk.pin ...` in code spans and
    code blocks of docs/deploy.md, as argv lists (path prefixes removed)."""
    text = DOC.read_text(encoding="utf-8")
    snippets = re.findall(r"```[a-z]*\n(.*?)```", text, re.S)
    snippets = [line for block in snippets for line in block.splitlines()]
    snippets += re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", text, flags=re.S))
    found = []
    for snippet in snippets:
        snippet = snippet.split("#", 1)[0].strip()
        match = re.match(r"(?:\S*/)?((?:kiosk-central|kiosk)(?:\s.*)?)$", snippet) or re.match(
            r"(python -m kiosk\.pin(?:\s.*)?)$", snippet
        )
        if match:
            found.append(shlex.split(match.group(1)))
    return found


def check_argv(argv: list[str], main: Callable[[list[str]], int], prog: str) -> list[str]:
    """Problems with one documented command line: unknown sub-commands or options."""
    problems, path = [], []
    known = options_in(help_of(main, []))
    tokens = iter(argv)
    for token in tokens:
        if token.startswith("-"):
            name = token.split("=")[0]
            if name not in known:
                problems.append(f"`{prog} {' '.join(argv)}`: no option {token}")
            elif known[name] and "=" not in token:
                next(tokens, None)  # its value
            continue
        text = help_of(main, path)
        if "positional arguments:" not in text or not commands_in(text):
            continue  # a positional value (e.g. a device id)
        if token in commands_in(text):
            path.append(token)
            known |= options_in(help_of(main, path))
        else:
            problems.append(f"`{prog} {' '.join(argv)}`: no command {token!r}")
    return problems


def test_deploy_doc_names_only_real_commands_and_options() -> None:
    from central.cli import main as central_main
    from kiosk.cli import main as kiosk_main
    from kiosk.pin import main as pin_main

    lines = doc_command_lines()
    progs = {argv[0] for argv in lines}
    assert {"kiosk", "kiosk-central", "python"} <= progs, progs
    problems = []
    for argv in lines:
        if argv[0] == "kiosk":
            problems += check_argv(argv[1:], kiosk_main, "kiosk")
        elif argv[0] == "kiosk-central":
            problems += check_argv(argv[1:], central_main, "kiosk-central")
        else:
            problems += check_argv(argv[3:], pin_main, "python -m kiosk.pin")
    assert problems == []


def test_doc_check_catches_a_made_up_command_and_option() -> None:
    from kiosk.cli import main as kiosk_main

    assert check_argv(["reboot"], kiosk_main, "kiosk")
    assert check_argv(["enrol", "--site", "X"], kiosk_main, "kiosk")
    assert check_argv(["enrol", "--central", "U", "--code", "C"], kiosk_main, "kiosk") == []


def test_doc_covers_what_the_issue_asks_for() -> None:
    text = DOC.read_text(encoding="utf-8")
    for topic in (
        "kiosk enrol",
        "python -m kiosk.pin",
        "cage",
        "Assigned Access",
        "Restart=always",
        "kivy_deps.sdl2",
        "kivy_deps.glew",
        "kivy_deps.angle",
        "KIVY_GL_BACKEND=angle_sdl2",
        "kiosk-central devices",
        "needs IT",
        "headphone jack",
        "consoleblank=0",
        "make dist",
    ):
        assert topic in text, topic
    for unit in UNITS:
        assert unit.name in text, unit.name


def all_options(main: Callable[[list[str]], int], path: list[str] | None = None) -> set[str]:
    path = path or []
    text = help_of(main, path)
    found = set(options_in(text))
    if "positional arguments:" in text:
        for command in commands_in(text):
            found |= all_options(main, [*path, command])
    return found


def test_every_option_the_doc_mentions_exists() -> None:
    from central.cli import main as central_main
    from kiosk.cli import main as kiosk_main
    from kiosk.pin import main as pin_main

    real = all_options(kiosk_main) | all_options(central_main) | all_options(pin_main)
    text = DOC.read_text(encoding="utf-8")
    spans = re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", text, flags=re.S))
    spans += [
        line
        for block in re.findall(r"```[a-z]*\n(.*?)```", text, re.S)
        for line in block.splitlines()
    ]
    other_tools = r"\b(cage|xinit|pip|powercfg|setx|systemctl|PyInstaller|adduser)\b"
    mentioned = {
        m
        for span in spans
        if not re.search(other_tools, span)
        for m in re.findall(r"(?<![\w-])(--[a-z][\w-]*)", span)
    }
    assert len(mentioned) > 10
    assert mentioned - real == set()
