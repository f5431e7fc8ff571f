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
