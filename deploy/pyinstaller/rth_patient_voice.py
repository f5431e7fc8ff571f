"""PyInstaller runtime hook for the frozen kiosk: runs before any of our code or Kivy.

Kivy reads its environment at import time: no argv parsing (our CLI owns the arguments), no
unfiltered Kivy log file or stderr capture (kiosk.logs is the one place logging is set up), and
a writable KIVY_HOME (the bundle itself may be read-only; Kivy creates only the last directory).
Until the command sets up its log file, stderr gets only filtered lines (kiosk.logs), at
$KIOSK_LOG_LEVEL (default WARNING).
"""

import os
import sys
from pathlib import Path


def _kivy_home() -> Path:
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return base / "PatientVoice" / "kivy"
    base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return base / "patient-voice" / "kivy"


os.environ.setdefault("KIVY_NO_ARGS", "1")
if sys.platform == "win32":  # Direct3D through ANGLE (bundled): also on PCs with only OpenGL 1.1
    os.environ.setdefault("KIVY_GL_BACKEND", "angle_sdl2")
os.environ.setdefault("KIVY_NO_FILELOG", "1")
os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
if "KIVY_HOME" not in os.environ:
    home = _kivy_home()
    try:
        home.parent.mkdir(parents=True, exist_ok=True)
    except OSError:  # no writable home at all (a locked-down account): fall back to temp
        import tempfile

        user = os.environ.get("USER") or os.environ.get("USERNAME") or "kiosk"
        home = Path(tempfile.gettempdir()) / f"patient-voice-kivy-{user}"
    os.environ["KIVY_HOME"] = str(home)

try:
    from kiosk.logs import early_logging

    early_logging(os.environ.get("KIOSK_LOG_LEVEL", "WARNING"))
except Exception as exc:  # noqa: BLE001 (logging must never stop the kiosk from starting)
    sys.stderr.write(f"patient-voice: early logging not set up ({type(exc).__name__})\n")
