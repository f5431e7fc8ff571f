"""The PyInstaller bundle: built once per test session (scripts/build-dist.sh, kiosk.spec), then
the frozen `kiosk selftest` taps through the survey offscreen in a clean environment (no venv, no
source tree on any path), and the bundle's contents are checked.

Slow (a build takes 20-60 s on the 2-core CI machine). Figures go to
test-artifacts/frozen-figures.json and are printed (run with -s to see them); nothing is timed
as an assertion.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from kiosk.crypto import PrivateKey, Sealer
from tests.conftest import ARTIFACTS, ROOT

pytestmark = pytest.mark.slow


@dataclass
class Bundle:
    folder: Path
    exe: Path
    build_seconds: float


def _size_mb(folder: Path) -> float:
    files = [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]
    return sum(p.stat().st_size for p in files) / 1e6  # PyInstaller links some libraries twice


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Bundle:
    out = tmp_path_factory.mktemp("pyinstaller")
    env = {
        **os.environ,
        "DIST_DIR": str(out / "dist"),
        "BUILD_DIR": str(out / "build"),
        "PY": str(ROOT / ".venv" / "bin" / "python"),
    }
    if not Path(env["PY"]).exists():
        env["PY"] = shutil.which("python3") or "python3"
    start = time.monotonic()
    proc = subprocess.run(
        ["bash", str(ROOT / "scripts" / "build-dist.sh")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    took = time.monotonic() - start
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    folder = out / "dist" / "kiosk"
    return Bundle(folder, folder / "kiosk", took)


def clean_env(home: Path) -> dict[str, str]:
    """What a kiosk's service has: no virtualenv, no PYTHONPATH, no Kivy settings of ours."""
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "SDL_VIDEODRIVER": "offscreen",
        "SDL_AUDIODRIVER": "dummy",
    }


def write_config(tmp_path: Path, responses: PrivateKey, contacts: PrivateKey) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(
        f"""
[device]
id = "frozen-0001"
site = "REN"
location = "ward-3"

[central]
url = "https://central.invalid"
token = "pvt_frozen-test-never-sent"

[keys]
responses = "{responses.public_key().to_text()}"
contacts = "{contacts.public_key().to_text()}"

[kiosk]
languages = ["en", "cy", "ar"]
default_language = "en"
data_dir = "{tmp_path / "data"}"
""",
        encoding="utf-8",
    )
    path.chmod(0o600)
    return path


def start_time(bundle: Bundle, config: Path, home: Path) -> float | None:
    """Exec to Kivy's "Start application main loop" for `kiosk run --windowed` (then killed:
    the kiosk vetoes closing)."""
    env = {**clean_env(home), "KIOSK_LOG_LEVEL": "INFO"}
    start = time.monotonic()
    proc = subprocess.Popen(
        [str(bundle.exe), "--config", str(config), "run", "--windowed"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for line in proc.stderr:
            if "Start application main loop" in line:
                return time.monotonic() - start
        return None
    finally:
        proc.kill()
        proc.wait(30)


def test_frozen_selftest_records_a_test_response(bundle: Bundle, tmp_path: Path) -> None:
    from kiosk.config import load_config
    from kiosk.store import SealedStore

    responses, contacts = PrivateKey.generate(), PrivateKey.generate()
    config = write_config(tmp_path, responses, contacts)
    start = time.monotonic()
    proc = subprocess.run(
        [
            str(bundle.exe),
            "--config",
            str(config),
            "selftest",
            "--comment",
            "Frozen and still kind",
        ],
        cwd=tmp_path,
        env=clean_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    selftest_seconds = time.monotonic() - start
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    record_id = proc.stdout.strip().splitlines()[-1]

    cfg = load_config(config)
    with SealedStore(
        cfg.store_path,
        Sealer(responses.public_key(), "responses"),
        Sealer(contacts.public_key(), "contacts"),
    ) as store:
        (pending,) = store.pending(10)
    payload = json.loads(responses.open(pending.sealed, "responses", pending.record_id))
    assert pending.record_id == record_id and "test" in payload["flags"]
    assert {"question_id": "why", "value": "Frozen and still kind"}.items() <= next(
        a for a in payload["answers"] if a["question_id"] == "why"
    ).items()

    figures = {
        "build_seconds": round(bundle.build_seconds, 1),
        "bundle_mb": round(_size_mb(bundle.folder), 1),
        "selftest_seconds": round(selftest_seconds, 2),
        "start_to_main_loop_seconds": [
            round(t, 2)
            for t in (start_time(bundle, config, tmp_path) for _ in range(3))
            if t is not None
        ],
    }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "frozen-figures.json").write_text(json.dumps(figures, indent=2) + "\n")
    print("frozen bundle:", json.dumps(figures))
    assert len(figures["start_to_main_loop_seconds"]) == 3  # the frozen app reached its loop


def test_frozen_cli_answers_without_kivy(bundle: Bundle, tmp_path: Path) -> None:
    config = write_config(tmp_path, PrivateKey.generate(), PrivateKey.generate())
    env = clean_env(tmp_path)
    helped = subprocess.run(
        [str(bundle.exe), "--help"], env=env, capture_output=True, text=True, timeout=60
    )
    assert helped.returncode == 0 and "selftest" in helped.stdout
    status = subprocess.run(
        [str(bundle.exe), "--config", str(config), "status", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["pending"] == 0
    checked = subprocess.run(
        [str(bundle.exe), "--config", str(config), "check-config"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 0 and "config OK" in checked.stdout


def test_bundle_has_what_the_kiosk_needs_and_nothing_of_the_server(bundle: Bundle) -> None:
    import tomllib

    data = bundle.folder / "_internal"
    kv = {p.name for p in (ROOT / "screens").glob("*.kv")}
    assert kv and kv <= {p.name for p in (data / "screens").glob("*.kv")}
    registry = tomllib.loads((ROOT / "locales" / "languages.toml").read_text(encoding="utf-8"))
    tags = {entry["tag"] for entry in registry["language"]}
    shipped_mo = {p.parts[-3] for p in (data / "locales").glob("*/LC_MESSAGES/messages.mo")}
    assert tags - {"en"} <= shipped_mo
    assert {p.name for p in (ROOT / "assets" / "fonts").glob("*.[ot]tf")} <= {
        p.name for p in (data / "assets" / "fonts").iterdir()
    }
    assert (data / "assets" / "surveys" / "fft.json").is_file()

    cldr = {p.stem for p in (data / "babel" / "locale-data").glob("*.dat")}
    languages = {entry["locale"].split("_")[0] for entry in registry["language"]}
    assert {"root", "en_GB", "cy", "ar", "zh_Hant", "pt_PT", "en_001"} <= cldr
    assert {c.split("_")[0] for c in cldr} == languages | {"root"}  # no de, fr, ja ...
    for server_only in ("central", "starlette", "uvicorn", "psycopg"):
        assert not (data / server_only).exists(), server_only


def test_frozen_set_pin_sets_the_pin_without_kivy(bundle: Bundle, tmp_path: Path) -> None:
    """`python -m kiosk.pin` needs a source checkout; the bundle has `kiosk set-pin` (issue 17)."""
    from kiosk.config import load_config
    from kiosk.pin import verify_pin

    config = write_config(tmp_path, PrivateKey.generate(), PrivateKey.generate())
    proc = subprocess.run(
        [str(bundle.exe), "set-pin", "--stdin", "--config", str(config)],
        env=clean_env(tmp_path),
        input="80415\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert verify_pin("80415", load_config(config).staff.pin_hash)
    assert "80415" not in proc.stdout + proc.stderr and "[Kivy" not in proc.stderr
    weak = subprocess.run(
        [str(bundle.exe), "--config", str(config), "set-pin", "--stdin"],
        env=clean_env(tmp_path),
        input="1111\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert weak.returncode == 2 and "too easy to guess" in weak.stderr
