"""What every Kivy module of the kiosk needs: the running App and loading a module's own kv."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.lang import Builder


def app_state() -> Any:
    return App.get_running_app()


def load_kv(py_file: str) -> None:
    """Load the .kv beside a module once (one screen = one .py + one .kv of the same stem)."""
    path = str(Path(py_file).with_suffix(".kv"))
    if path not in Builder.files:
        Builder.load_file(path)
