"""`make run`: a local central record on its embedded default (SQLite) and a kiosk enrolled to it.

Everything lives in ``.run/`` beside the checkout, so a second `make run` carries on where the
first stopped (same keys, same device, responses still pending are uploaded):

  .run/central/          the central record's SQLite file and key pair files
  .run/kiosk.toml        the kiosk's config (device id, token, public keys; 0600)
  .run/kiosk-data/       the kiosk's sealed store, status, content cache

It drives the real commands (`kiosk-central keygen/enrol/serve`, `kiosk enrol`, `kiosk run`) as
IT would, so it exercises what a deployment does. No Kivy import here: the kiosk is a child process.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUN = ROOT / ".run"
CENTRAL_DIR = RUN / "central"
CONFIG = RUN / "kiosk.toml"
HOST, PORT = "127.0.0.1", 8470
SITE, LOCATION, LOCATION_NAME = "REN01", "WARD-4", "Ward 4 (local demo)"
DEV_PIN = "2468"
BIN = Path(sys.executable).parent


def _run(*cmd: str, capture: bool = False) -> str:
    proc = subprocess.run(cmd, check=False, text=True, capture_output=capture)
    if proc.returncode != 0:
        detail = (proc.stderr or "").strip() if capture else ""
        sys.exit(f"make run: `{' '.join(cmd[:3])} …` failed (exit {proc.returncode}). {detail}")
    return proc.stdout if capture else ""


def _central(*args: str, capture: bool = False) -> str:
    return _run(str(BIN / "kiosk-central"), "--data-dir", str(CENTRAL_DIR), *args, capture=capture)


def _port_open(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.3)
        return s.connect_ex((host, port)) == 0


def start_central() -> subprocess.Popen | None:
    if not (CENTRAL_DIR / "keys" / "responses.pub").exists():
        _central("keygen", capture=True)
    if _port_open(HOST, PORT):
        print(f"make run: {HOST}:{PORT} is already taken; using it as the central record")
        return None
    log = open(RUN / "central.log", "ab")
    proc = subprocess.Popen(
        [str(BIN / "kiosk-central"), "--data-dir", str(CENTRAL_DIR), "serve", "--host", HOST,
         "--port", str(PORT)], stdout=log, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 20
    while not _port_open(HOST, PORT):
        if proc.poll() is not None or time.monotonic() > deadline:
            sys.exit(f"make run: the central record did not start; see {RUN / 'central.log'}")
        time.sleep(0.1)
    return proc


def enrol_kiosk() -> None:
    from kiosk.config import load_config

    if CONFIG.exists() and load_config(CONFIG).enrolled:
        return
    code = _central("enrol", "--location", LOCATION, "--site", SITE, "--name", LOCATION_NAME,
                    capture=True).strip().splitlines()[-1]
    _run(str(BIN / "kiosk"), "--config", str(CONFIG), "enrol", "--central", f"http://{HOST}:{PORT}",
         "--code", code)


def set_dev_defaults() -> None:
    """A known staff PIN and a data dir inside .run/, only where the config has none yet."""
    from kiosk.config import load_config, update_config
    from kiosk.pin import hash_pin

    config = load_config(CONFIG)
    changes: dict[str, dict[str, object]] = {}
    if not config.staff.pin_hash:
        changes["staff"] = {"pin_hash": hash_pin(DEV_PIN)}
    if config.kiosk.data_dir != RUN / "kiosk-data":
        changes["kiosk"] = {"data_dir": str(RUN / "kiosk-data")}
    if changes:
        update_config(changes, CONFIG)


def main() -> int:
    RUN.mkdir(exist_ok=True)
    os.environ["KIOSK_CONFIG"] = str(CONFIG)
    central = start_central()
    try:
        enrol_kiosk()
        set_dev_defaults()
        headless = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
        env = dict(os.environ)
        if headless:
            env.setdefault("SDL_VIDEODRIVER", "offscreen")
            print("make run: no display found, so the kiosk runs in an offscreen window "
                  "(see `kiosk selftest --screenshots DIR` to look at it). Ctrl-C stops it.")
        print(f"make run: central record http://{HOST}:{PORT} (data in {CENTRAL_DIR}); "
              f"kiosk config {CONFIG}; staff PIN {DEV_PIN} (hold the top-left corner for 5 s)")
        kiosk = [str(BIN / "kiosk"), "--config", str(CONFIG), "run", "--windowed"]
        return subprocess.call(kiosk, env=env)
    except KeyboardInterrupt:
        return 130
    finally:
        if central is not None:
            central.terminate()
            central.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
