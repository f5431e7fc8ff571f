"""`kiosk run` itself, as systemd starts it: a real process, a real offscreen window, the real
config, store, sync agent and central record on loopback.

The app opens its store and starts its sync agent just after the first frame (start-up time,
bench/ui.py); these tests prove both still happen, and that a kiosk whose store cannot be
opened says so (needs IT, the calm crash screen) instead of thanking people for answers it
cannot keep.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.config import KioskConfig, load_config, update_config
from kiosk.status import StatusFile
from kiosk.store import SealedStore
from sync.enrol import enrol
from tests.central.live import LiveCentral, make_record
from tests.conftest import ROOT

pytestmark = pytest.mark.gui


def _enrolled(central: LiveCentral, tmp_path: Path) -> KioskConfig:
    path = tmp_path / "kiosk.toml"
    update_config({"kiosk": {"data_dir": str(tmp_path / "data")}}, path)
    enrol(central.url, central.enrol(), config_path=path)
    return load_config(path)


class Kiosk:
    """`python -m kiosk.cli --config F run --windowed` with an offscreen SDL window."""

    def __init__(self, config: Path, home: Path) -> None:
        env = {**os.environ, "SDL_VIDEODRIVER": "offscreen", "SDL_AUDIODRIVER": "dummy",
               "KIVY_HOME": str(home), "KIOSK_LOG_LEVEL": "INFO", "PYTHONPATH": str(ROOT)}
        env.pop("KIVY_NO_CONSOLELOG", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk.cli", "--config", str(config), "run", "--windowed"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def stop(self) -> tuple[int, str]:
        """SIGTERM, as `systemctl stop` sends it: the app stops in order."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            _, err = self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        return self.proc.returncode, err


@pytest.fixture
def running() -> Iterator[list[Kiosk]]:
    started: list[Kiosk] = []
    yield started
    for k in started:
        if k.proc.poll() is None:
            k.proc.kill()
            k.proc.wait(30)


def _wait(condition, seconds: float, what: str, kiosk: Kiosk) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        if kiosk.proc.poll() is not None:
            _, err = kiosk.stop()
            pytest.fail(f"kiosk run exited {kiosk.proc.returncode} before {what}:\n{err[-3000:]}")
        time.sleep(0.2)
    code, err = kiosk.stop()
    pytest.fail(f"no {what} within {seconds} s (exit {code}):\n{err[-3000:]}")


def test_kiosk_run_uploads_what_it_holds_and_stops_in_order(
    sqlite_central: LiveCentral, tmp_path: Path, running: list[Kiosk]
) -> None:
    cfg = _enrolled(sqlite_central, tmp_path)
    store = SealedStore(cfg.store_path, *cfg.sealers())
    for i in range(3):  # left sealed on the kiosk by an earlier run with no network
        store.add(make_record(cfg.device.id, comment=f"earlier {i}", fft=2))
    store.close()

    kiosk = Kiosk(cfg.path, tmp_path / "kivy")
    running.append(kiosk)
    _wait(lambda: sqlite_central.record.counts()["responses"] == 3, 90,
          "upload of the 3 sealed responses", kiosk)
    code, err = kiosk.stop()
    assert code == 0, err[-3000:]
    assert "Start application main loop" in err
    store = SealedStore(cfg.store_path, *cfg.sealers())
    try:
        assert store.count_pending() == 0  # purged once the central record had them
    finally:
        store.close()
    assert StatusFile(cfg.status_path).read().last_sync_at is not None


def test_kiosk_run_with_a_damaged_store_says_so_and_keeps_the_file(
    sqlite_central: LiveCentral, tmp_path: Path, running: list[Kiosk]
) -> None:
    cfg = _enrolled(sqlite_central, tmp_path)
    cfg.kiosk.data_dir.mkdir(parents=True, exist_ok=True)
    damaged = b"this is not an SQLite database " * 200
    cfg.store_path.write_bytes(damaged)

    kiosk = Kiosk(cfg.path, tmp_path / "kivy")
    running.append(kiosk)
    status = StatusFile(cfg.status_path)
    _wait(lambda: status.path.exists() and status.read().needs_it, 60,
          "'needs IT' in the status file", kiosk)
    assert kiosk.proc.poll() is None  # up, showing "please ask a member of staff"
    read = status.read()
    assert "response store cannot be opened" in (read.last_error or "")
    code, err = kiosk.stop()
    assert "Something went wrong" not in err  # the panel is on screen, not in the log
    assert cfg.store_path.read_bytes() == damaged  # nothing overwritten: IT can look at it
