"""A live central record on loopback, and a real PostgreSQL server, for the central and sync tests.

Imported by tests/central/conftest.py and tests/sync/conftest.py (not a conftest itself).
The PostgreSQL server is started by the fixture (initdb into a temp dir + pg_ctl; as root via
``runuser -u postgres``). If it cannot start, the tests FAIL when CI=true, and skip otherwise.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn

from central.app import build_app
from central.cli import open_central
from central.content import ContentPublisher
from central.db import Database
from central.ratelimit import RateLimits
from central.service import CentralRecord
from kiosk.crypto import PrivateKey, Sealer
from kiosk.record import Answer, ResponseRecord, new_record_id
from kiosk.store import InMemoryStore, PendingRecord
from tests.conftest import missing

ROOT = Path(__file__).resolve().parents[2]
FFT_SURVEY = ROOT / "assets" / "surveys" / "fft.json"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- keys


@dataclass(frozen=True)
class CentralKeys:
    dir: Path
    responses: PrivateKey
    contacts: PrivateKey

    def sealers(self) -> tuple[Sealer, Sealer]:
        return (
            Sealer(self.responses.public_key(), "responses"),
            Sealer(self.contacts.public_key(), "contacts"),
        )


def make_keys(directory: Path) -> CentralKeys:
    directory.mkdir(parents=True, exist_ok=True)
    responses, contacts = PrivateKey.generate(), PrivateKey.generate()
    responses.save(directory / "responses.key")
    contacts.save(directory / "contacts.key")
    (directory / "responses.pub").write_text(responses.public_key().to_text())
    (directory / "contacts.pub").write_text(contacts.public_key().to_text())
    return CentralKeys(directory, responses, contacts)


# ---------------------------------------------------------------- the live service


class LiveCentral:
    """uvicorn serving the real app in a thread on a free loopback port; restartable."""

    def __init__(self, db_url: str, keys: CentralKeys, *, bench: bool = False,
                 port: int | None = None, tls: tuple[Path, Path] | None = None,
                 limits: RateLimits | None = None) -> None:
        self.db_url, self.keys, self.bench, self.tls = db_url, keys, bench, tls
        self.limits = limits
        self.port = port or free_port()
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self.db: Database
        self.record: CentralRecord
        self.publisher: ContentPublisher
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> LiveCentral:
        self.db, self.record, self.publisher = open_central(self.db_url, self.keys.dir)
        app = build_app(self.record, self.publisher, bench=self.bench, limits=self.limits)
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_keep_alive=30,
            backlog=2048,
            limit_concurrency=4000,
            ssl_certfile=str(self.tls[0]) if self.tls else None,
            ssl_keyfile=str(self.tls[1]) if self.tls else None,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="live-central", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the central record did not start on loopback")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            self._thread.join(15)
            self._server = None
            self.db.close()

    def restart(self) -> None:
        self.stop()
        self.start()

    def enrol(self, site: str = "REN", location: str = "ward-3", name: str = "Ward 3") -> str:
        return self.record.create_enrol_code(site, location, name)

    def publish_fft(self, location: str = "*") -> dict:
        survey = json.loads(FFT_SURVEY.read_text())
        self.publisher.publish(location, "survey", survey, "fft.json")
        return survey


class CentralProcess:
    """`kiosk-central serve` as a real process (can be SIGKILLed), plus an in-process handle on
    the same database for set-up and counting."""

    def __init__(self, db_url: str, keys: CentralKeys, port: int | None = None,
                 workers: int = 1) -> None:
        self.db_url, self.keys, self.workers = db_url, keys, workers
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.db, self.record, self.publisher = open_central(db_url, keys.dir)

    def start(self) -> CentralProcess:
        cmd = [sys.executable, "-m", "central.cli", "--keys-dir", str(self.keys.dir),
               "--database-url", self.db_url, "serve", "--port", str(self.port),
               "--log-level", "warning", "--workers", str(self.workers)]
        self.proc = subprocess.Popen(cmd, cwd=ROOT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"kiosk-central serve exited with {self.proc.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("kiosk-central serve did not start")

    def kill(self) -> None:
        """SIGKILL: no graceful shutdown, requests in flight are cut."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.db.close()


# ---------------------------------------------------------------- records


def make_record(
    device_id: str,
    *,
    comment: str = "The nurses were kind.",
    fft: int = 1,
    contact_name: str | None = None,
    location: str = "ward-3",
    site: str = "REN",
    survey_id: str = "fft",
    survey_version: int = 1,
) -> ResponseRecord:
    answers = [Answer("fft", "fft", fft, fft), Answer("why", "free_text", comment, None)]
    contact = None
    if contact_name is not None:
        answers.append(Answer("contact_details", "contact", None, None))
        contact = {
            "contact": {
                "name": contact_name,
                "method": "phone",
                "value": "07700 900123",
                "needs": ["large_print"],
                "needs_other": "",
            }
        }
    now = time.time()
    return ResponseRecord(
        record_id=new_record_id(),
        survey_id=survey_id,
        survey_version=survey_version,
        language="en",
        variant="standard",
        answers=tuple(answers),
        contact=contact,
        started_at=now - 60,
        finished_at=now,
        device_id=device_id,
        site_code=site,
        location_code=location,
    )


def sealed_records(keys: CentralKeys, device_id: str, n: int, **kw: object) -> list[PendingRecord]:
    """n real records sealed by the kiosk's real store code (InMemoryStore)."""
    store = InMemoryStore(*keys.sealers())
    for i in range(n):
        store.add(make_record(device_id, comment=f"Comment {i}", fft=1 + i % 6, **kw))
    return store.pending(n)


# ---------------------------------------------------------------- PostgreSQL


class PostgresServer:
    """``durable=False`` (the tests): no fsync, fast. ``durable=True`` (bench/sync.py): the
    server's defaults, so a commit is on disk when it returns, as in production."""

    def __init__(self, durable: bool = False) -> None:
        self.durable = durable
        self.base = Path(tempfile.mkdtemp(prefix="pv-pg-"))
        self.port = free_port()
        self.data = self.base / "data"
        self._as_postgres = os.geteuid() == 0

    def _run(self, *cmd: str) -> None:
        full = (["runuser", "-u", "postgres", "--"] if self._as_postgres else []) + list(cmd)
        subprocess.run(full, check=True, capture_output=True, text=True, timeout=120)

    def start(self) -> PostgresServer:
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
        if not bins:
            raise RuntimeError(
                "no PostgreSQL binaries under /usr/lib/postgresql/*/bin "
                "(install the Debian package `postgresql`: scripts/setup.sh)"
            )
        binary = Path(bins[-1])
        if self._as_postgres:
            shutil.chown(self.base, "postgres", "postgres")
        self._bin = binary
        self._run(
            str(binary / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "--no-sync",
            "-E",
            "UTF8",
        )
        opts = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c max_connections=200"
        if not self.durable:
            opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(
            str(binary / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            opts,
            "-w",
            "-t",
            "60",
            "-l",
            str(self.base / "log"),
            "start",
        )
        return self

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def new_database(self) -> str:
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run(
                str(self._bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"
            )
        finally:
            shutil.rmtree(self.base, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer()
    try:
        server.start()
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        missing(f"could not start the test PostgreSQL server: {detail.strip()[:500]}")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def central_keys(tmp_path_factory: pytest.TempPathFactory) -> CentralKeys:
    return make_keys(tmp_path_factory.mktemp("central-keys"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'central.sqlite'}"
    return request.getfixturevalue("postgres_server").new_database()


@pytest.fixture
def live_central(db_url: str, central_keys: CentralKeys) -> Iterator[LiveCentral]:
    central = LiveCentral(db_url, central_keys).start()
    central.publish_fft()
    yield central
    central.stop()


@pytest.fixture
def sqlite_central(tmp_path: Path, central_keys: CentralKeys) -> Iterator[LiveCentral]:
    central = LiveCentral(f"sqlite:///{tmp_path / 'central.sqlite'}", central_keys).start()
    central.publish_fft()
    yield central
    central.stop()
