"""What a newly enrolled kiosk shows, on its own default configuration (not the test fixture's):
`kiosk enrol` against a real central record on loopback, then `kiosk selftest --screenshots`,
which saves each screen and judges it by its drawn ink (screens/drawn.py). The pictures are
kept under test-artifacts/screenshots/fresh-install/ to look at."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.config import load_config, update_config
from screens import drawn
from sync.enrol import enrol
from tests.central.live import LiveCentral
from tests.conftest import ARTIFACTS, ROOT

pytestmark = pytest.mark.gui
SHOTS = ARTIFACTS / "screenshots" / "fresh-install"


def test_a_freshly_enrolled_kiosk_draws_every_screen_whole(sqlite_central: LiveCentral,
                                                            tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    update_config({"kiosk": {"data_dir": str(tmp_path / "data")}}, config)
    enrol(sqlite_central.url, sqlite_central.enrol(), config_path=config)
    cfg = load_config(config)
    assert len(cfg.kiosk.languages) > 1  # the default install offers every language
    shots = tmp_path / "shots"
    env = {**os.environ, "SDL_VIDEODRIVER": "offscreen", "SDL_AUDIODRIVER": "dummy",
           "KIVY_NO_CONSOLELOG": "1", "KIVY_HOME": str(tmp_path / "kivy")}
    proc = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "--config", str(config), "selftest",
         "--screenshots", str(shots)], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=180)
    shutil.rmtree(SHOTS, ignore_errors=True)
    shutil.copytree(shots, SHOTS)
    assert proc.returncode == 0, proc.stderr[-3000:]
    frames = sorted(shots.glob("*.json"))
    assert frames[0].name == "01-welcome.json" and frames[-1].name.endswith("thank_you.json")
    for path in frames:  # judged again here, from the saved frames: what the kiosk saw
        assert drawn.problems(drawn.Frame.load(path)) == [], path.name
    welcome = drawn.Frame.load(frames[0])
    wait = next(i for i in welcome.inks if i.text.startswith("If you stop for"))
    # the timeout line at its full size: two lines of 26 px text (an old default install drew
    # it shrunk to about half that, beside 14 language buttons)
    assert wait.ink[3] - wait.ink[1] > 2 * 26
