"""Private by default: after a whole journey through real `kiosk-central` processes (keygen,
enrol, serve, a kiosk enrolling and uploading over HTTP, staff signing in, an FFT return
written to a file), every file in the data dir is 0600 and every directory 0700; files left
loose by an older install are tightened on start, with a warning naming each one."""

from __future__ import annotations

import datetime as dt
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import requests

from kiosk.crypto import PrivateKey
from tests.central.live import ROOT, CentralKeys, free_port, sealed_records
from tests.central.web.staff import CSRF, PASSWORD
from tests.central.wire import batch_json, post_batch, statuses


def cli(data: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "central.cli", "--data-dir", str(data), *args],
                          input=stdin, capture_output=True, text=True, cwd=ROOT,
                          timeout=120)  # fmt: skip
    assert done.returncode == 0, (args, done.stderr)
    return done


def modes(data: Path) -> dict[str, int]:
    out = {".": stat.S_IMODE(data.stat().st_mode)}
    for dirpath, dirnames, filenames in os.walk(data):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            out[str(path.relative_to(data))] = stat.S_IMODE(path.lstat().st_mode)
    return out


def assert_private(data: Path) -> dict[str, int]:
    found = modes(data)
    loose = {p: oct(m) for p, m in found.items()
             if m != (0o700 if (data / p).is_dir() else 0o600)}  # fmt: skip
    assert not loose, f"not private: {loose}"
    return found


class Served:
    def __init__(self, data: Path, log: Path) -> None:
        self.port, self.log = free_port(), log
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "central.cli", "--data-dir", str(data), "serve", "--port",
             str(self.port), "--log-level", "warning"],
            cwd=ROOT, stderr=log.open("w"), env={**os.environ, "KIOSK_CENTRAL_STAFF_WEB": ""},
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, log.read_text()
            try:
                if requests.get(self.url + "/api/v1/health", timeout=1).ok:
                    return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise AssertionError("kiosk-central serve did not start: " + log.read_text())

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(15)


def sign_in(url: str, username: str) -> requests.Session:
    http = requests.Session()
    token = CSRF.search(http.get(url + "/staff/sign-in", timeout=10).text).group(1)
    resp = http.post(url + "/staff/sign-in", data={"username": username, "password": PASSWORD,
                     "csrf": token}, allow_redirects=False, timeout=30)  # fmt: skip
    assert resp.status_code == 303, resp.text
    return http


def test_every_file_of_a_whole_journey_is_private(tmp_path: Path) -> None:
    data = tmp_path / "central-data"
    cli(data, "keygen")
    code = cli(data, "enrol", "--site", "REN", "--location", "ward-3").stdout.strip()
    for user, role in (("pat", "patient_experience"), ("connie", "concerns")):
        cli(data, "staff", "add", "--username", user, "--role", role, stdin=PASSWORD + "\n")
    # An older install left these readable by everyone: `serve` must tighten them.
    os.chmod(data / "central.sqlite", 0o644)
    (data / "old-notes").mkdir(mode=0o755)
    (data / "old-notes" / "export.csv").write_text("Location\n")
    os.chmod(data / "old-notes" / "export.csv", 0o644)
    served = Served(data, tmp_path / "serve.log")
    try:
        warnings = served.log.read_text()
        for loose in ("central.sqlite was 0o644", "old-notes was 0o755", "export.csv was 0o644"):
            assert loose in warnings, warnings
        enrolled = requests.post(served.url + "/api/v1/enrol", json={"code": code}, timeout=10)
        assert enrolled.status_code == 201, enrolled.text
        device = enrolled.json()
        keys = CentralKeys(data / "keys", PrivateKey.load(data / "keys" / "responses.key"),
                           PrivateKey.load(data / "keys" / "contacts.key"))  # fmt: skip
        pending = sealed_records(keys, device["device_id"], 3, contact_name="Ada Lovelace")
        resp = post_batch(served, device["token"], batch_json(pending))
        assert statuses(resp) == ["accepted"] * 3
        pat = sign_in(served.url, "pat")
        assert "Comment 1" in pat.get(served.url + "/staff/comments", timeout=30).text
        month = dt.date.today().strftime("%Y-%m")
        ward_csv = pat.get(f"{served.url}/staff/returns?month={month}&file=ward",
                           timeout=30)  # fmt: skip
        assert ward_csv.status_code == 200 and "text/csv" in ward_csv.headers["content-type"]
        assert sign_in(served.url, "connie").get(served.url + "/staff/cases", timeout=30).ok
        cli(data, "fft-return", "--month", month, "--out", str(data / "exports" / "ret.csv"))
        running = assert_private(data)  # while serving: the WAL and shared-memory files exist
    finally:
        served.stop()
    after = assert_private(data)
    expected = {"central.sqlite", "central.sqlite-wal", "central.sqlite-shm", "keys/responses.key",
                "keys/contacts.key", "keys/responses.pub", "exports", "exports/ret.csv",
                "exports/ret_trust.csv"}  # fmt: skip
    assert expected <= set(running), sorted(running)
    assert "central.sqlite" in after
