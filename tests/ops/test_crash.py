"""The crash screen: a real App fails in its real event loop (own process, offscreen window).

The respondent sees the calm translated sentence (screenshot saved for review), the log gets a
traceback with frames only, and the App stops itself for a clean restart by systemd.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.i18n import translate
from kiosk.logs import WITHHELD, log_path
from screens.crash import MESSAGE
from tests.conftest import ARTIFACTS, ROOT

pytestmark = pytest.mark.gui
APP = Path(__file__).with_name("crash_app.py")


def run_crashing_app(tmp_path: Path, language: str, *flags: str) -> tuple[dict, list[dict], str]:
    shot = ARTIFACTS / "screenshots" / f"crash-{language}{''.join(flags)}.png"
    env = {**os.environ, "SDL_VIDEODRIVER": "offscreen", "KIVY_HOME": str(tmp_path / "kivy")}
    env.pop("KIVY_NO_CONSOLELOG", None)
    proc = subprocess.run(
        [sys.executable, str(APP), str(tmp_path / "data"), language, str(shot), *flags],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert shot.is_file() and shot.stat().st_size > 10_000
    lines = log_path(tmp_path / "data").read_text(encoding="utf-8").splitlines()
    return (
        json.loads(proc.stdout.strip().splitlines()[-1]),
        [json.loads(x) for x in lines],
        proc.stdout + proc.stderr,
    )


@pytest.mark.parametrize("language", ["en", "ur"])
def test_a_crash_shows_the_calm_screen_logs_safely_and_restarts(
    tmp_path: Path, language: str
) -> None:
    shown, logged, output = run_crashing_app(tmp_path, language)

    assert shown["message"] == translate(MESSAGE, language)
    assert shown["language"] == language and shown["widget"] == "BidiLabel"
    assert shown["english"] == ("" if language == "en" else MESSAGE)  # staff can read it too
    assert shown["count"] == 1
    assert 1.4 <= shown["stopped_after"] < 10  # stopped itself: systemd starts a fresh one

    crash = [e for e in logged if e["logger"] == "kiosk.crash"]
    assert len(crash) == 1 and shown["reference"] in crash[0]["msg"]
    tb = crash[0]["traceback"]
    assert "crash_app.py" in tb and ", in fail" in tb and f"ValueError: {WITHHELD}" in tb
    assert any("stopping the kiosk for a clean restart" in e["msg"] for e in logged)
    everything = output + json.dumps(logged)
    assert "Ratched" not in everything and "900461" not in everything


def test_the_panel_does_not_need_bidi_label(tmp_path: Path) -> None:
    shown, logged, _ = run_crashing_app(tmp_path, "ar", "--no-bidi")
    assert shown["widget"] == "Label" and shown["message"] == translate(MESSAGE, "ar")
    assert any("BidiLabel unavailable" in e["msg"] for e in logged)


def test_a_wedged_event_loop_is_ended_by_the_watchdog(tmp_path: Path) -> None:
    from screens.crash import CRASH_EXIT_CODE

    env = {**os.environ, "SDL_VIDEODRIVER": "offscreen", "KIVY_HOME": str(tmp_path / "kivy")}
    proc = subprocess.run(
        [
            sys.executable,
            str(APP),
            str(tmp_path / "data"),
            "en",
            str(tmp_path / "shot.png"),
            "--wedge",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == CRASH_EXIT_CODE, proc.stderr[-2000:]
    logged = log_path(tmp_path / "data").read_text(encoding="utf-8")
    assert "the kiosk did not stop; ending the process" in logged


def test_sigterm_stops_the_kiosk_in_order(tmp_path: Path) -> None:
    """SDL turns SIGTERM into a close request and the kiosk vetoes closing: without the
    handler `systemctl stop` would hang until SIGKILL."""
    env = {**os.environ, "SDL_VIDEODRIVER": "offscreen", "KIVY_HOME": str(tmp_path / "kivy")}
    proc = subprocess.Popen(
        [
            sys.executable,
            str(APP),
            str(tmp_path / "data"),
            "en",
            str(tmp_path / "unused.png"),
            "--no-crash",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "started"
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err[-2000:]
    assert json.loads(out.strip().splitlines()[-1])["count"] == 0  # no crash, just a stop
    logged = log_path(tmp_path / "data").read_text(encoding="utf-8")
    assert "SIGTERM: stopping the kiosk" in logged
