"""Shared test set-up. Package-specific fixtures live in tests/<package>/conftest.py.

Kivy reads its environment at import time, so the headless settings are fixed here, before any
test module can import it: a real SDL2 window rendered offscreen through Mesa (no X server),
no audio device, no argv parsing, no log files, and a throwaway KIVY_HOME.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

_KIVY_HOME = Path(tempfile.mkdtemp(prefix="pv-kivy-home-")) / "kivy"
os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ["KIVY_NO_ARGS"] = "1"
os.environ["KIVY_NO_FILELOG"] = "1"
os.environ["KIVY_HOME"] = str(_KIVY_HOME)

ROOT = Path(__file__).resolve().parent.parent
#: Where UI tests save screenshots (README names this folder).
ARTIFACTS = ROOT / "test-artifacts"


def missing(message: str) -> None:
    """A real component a test needs is not here: under CI (``CI=true``, set by .ci/run) that
    fails loudly, for a developer it skips with the sentence saying what to install."""
    import pytest

    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message} (CI=true: this component must be present)", pytrace=False)
    pytest.skip(message)


def need_module(name: str, hint: str):
    """``importorskip`` that fails under CI."""
    import importlib

    try:
        return importlib.import_module(name)
    except ImportError:
        missing(f"the Python package {name!r} is not installed: {hint}")
