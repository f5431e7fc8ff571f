"""The `kiosk` console script: a thin client of the library.

Each command delegates to the module that owns it and turns a ``PatientVoiceError`` into one
clear sentence on stderr and a non-zero exit. Technical detail goes to the log, never secrets.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

from kiosk.cliargs import default_or_suppress, share_global_options
from kiosk.errors import PatientVoiceError

# command -> (module, function, help). Modules are imported only when their command runs, so
# `kiosk status` never pays for Kivy and the core stays importable without it. Each function
# takes the parsed argparse.Namespace and returns an exit code.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "run": ("screens.app", "run_main", "start the kiosk (fullscreen, locked down)"),
    "selftest": (
        "screens.selftest",
        "selftest_main",
        "tap through the installed survey offscreen; record a test response; print its id",
    ),
    "check-config": (
        "kiosk.config",
        "check_main",
        "validate the config file and name each problem",
    ),
    "status": (
        "kiosk.status",
        "status_main",
        "device, location, pending count, oldest pending age, last sync, last error",
    ),
    "enrol": (
        "sync.enrol",
        "enrol_main",
        "exchange a one-time enrolment code for this kiosk's identity",
    ),
    "sync": ("sync.agent", "sync_main", "upload pending responses and pull content"),
    "set-pin": (
        "kiosk.pin",
        "set_pin_main",
        "set the staff PIN: asked twice without echo (or --stdin); clears any lock-out",
    ),
}


def _add_arguments(name: str, p: argparse.ArgumentParser) -> None:
    if name == "run":
        p.add_argument("--windowed", action="store_true", help="a normal window (development only)")
    elif name == "selftest":
        p.add_argument(
            "--comment",
            default="Self-test comment",
            help="text to type into the free-text question",
        )
        p.add_argument("--screenshots", metavar="DIR", help="save a PNG of every screen visited")
    elif name == "status":
        p.add_argument("--json", action="store_true", help="machine-readable output")
    elif name == "enrol":
        p.add_argument(
            "--central", required=True, metavar="URL", help="the central record's address"
        )
        p.add_argument("--code", required=True, help="the one-time enrolment code from IT")
        p.add_argument(
            "--ca-bundle", metavar="FILE", help="CA certificates to trust for the central record"
        )
    elif name == "sync":
        p.add_argument(
            "--once",
            action="store_true",
            help="one round (upload everything, pull content), then exit",
        )
    elif name == "set-pin":
        from kiosk.pin import add_set_pin_arguments  # no Kivy; _logging loads kiosk.config anyway

        add_set_pin_arguments(p)


def config_file(text: str) -> str:
    """``--config``'s type: a file path (it need not exist yet: `kiosk enrol` creates it)."""
    if not text.strip():
        raise argparse.ArgumentTypeError(
            "is empty; give the config file's path, e.g. ~/.config/patient-voice/kiosk.toml"
        )
    path = Path(text).expanduser()
    if path.is_dir():
        raise argparse.ArgumentTypeError(
            f"{text} is a directory; give the config file in it, e.g. {path / 'kiosk.toml'}"
        )
    return text


def _global_options(p: argparse.ArgumentParser, top: bool) -> None:
    p.add_argument(
        "--config",
        type=config_file,
        default=default_or_suppress(top, None),
        metavar="FILE",
        help="config file (default: $KIOSK_CONFIG, else ~/.config/patient-voice/kiosk.toml)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="Patient Voice feedback kiosk")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module, func, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text)
        p.set_defaults(_target=(module, func))
        _add_arguments(name, p)
    # --config before or after the command: `kiosk enrol --config F ...` as people type it
    share_global_options(parser, _global_options)
    return parser


def _logging(args: argparse.Namespace) -> None:
    """Filtered, rotating logs in the data dir before any command runs (kiosk/logs.py).

    Done before the command's module is imported, so Kivy's own handlers are replaced too.
    A config problem is not reported here: the command itself reports it as a sentence.
    """
    from kiosk.config import load_config
    from kiosk.logs import early_logging, setup_logging

    level = os.environ.get("KIOSK_LOG_LEVEL", "INFO")
    early_logging(os.environ.get("KIOSK_LOG_LEVEL", "WARNING"))
    if args.command in ("status", "check-config"):
        return  # inspection only: they must not create the data dir or write to it
    try:
        cfg = load_config(args.config, missing_ok=True)
    except PatientVoiceError:
        return
    setup_logging(
        cfg.kiosk.data_dir,
        level,
        name="sync" if args.command == "sync" else "kiosk",
        console=args.command in ("run", "sync"),
        secrets=[cfg.central.token] if cfg.central.token else [],
    )


def main(argv: list[str] | None = None) -> int:
    # Kivy parses sys.argv at import unless told not to: `kiosk --config F run` would reach it.
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    args = build_parser().parse_args(argv)
    module, func = args._target
    _logging(args)
    try:
        return int(getattr(importlib.import_module(module), func)(args) or 0)
    except PatientVoiceError as exc:
        print(f"kiosk {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
