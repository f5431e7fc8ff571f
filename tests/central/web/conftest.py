"""Fixtures for the staff web: the real app (record service + staff web) served by uvicorn on
loopback, on SQLite and on a real PostgreSQL (``db_url`` from tests/central/live.py), with real
records sealed by the kiosk's own store code and ingested by the record service."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from central.app import build_app
from central.cli import open_central
from central.ratelimit import RateLimits
from central.web import mount_staff_web
from central.web.settings import WebSettings

# db_url, central_keys and postgres_server come from tests/central/conftest.py (a parent).
from tests.central.live import FFT_SURVEY, CentralKeys, free_port
from tests.central.web.staff import PASSWORD, Clock, WebCentral


@pytest.fixture
def clock() -> Clock:
    return Clock(time.time())


@pytest.fixture
def web_settings(central_keys: CentralKeys, clock: Clock) -> WebSettings:
    return WebSettings(contacts_key=central_keys.dir / "contacts.key", scrypt_n=2**12,
                       clock=clock, alert_interval=0, languages=("en", "cy"))  # fmt: skip


def serve(db_url: str, keys: CentralKeys, settings: WebSettings) -> WebCentral:
    db, record, publisher = open_central(db_url, keys.dir)
    app = build_app(record, publisher, limits=RateLimits(clock=settings.clock))
    web = mount_staff_web(app, record, publisher, settings, start_alerts=False)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           access_log=False, lifespan="off"))  # fmt: skip
    thread = threading.Thread(target=server.run, name="staff-web", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the staff web did not start on loopback")
        time.sleep(0.02)
    central = WebCentral(f"http://127.0.0.1:{port}", db, record, publisher, web, keys, server,
                         thread)  # fmt: skip
    central.publish_fft(FFT_SURVEY)
    for username, role, locations in (("pat", "patient_experience", ()),
                                      ("wendy", "ward_manager", ("ward-3",)),
                                      ("walter", "ward_manager", ("ward-4",)),
                                      ("connie", "concerns", ()), ("ivan", "it", ())):
        web.accounts.add(username, role, PASSWORD, locations)
    return central


@pytest.fixture
def web_central(db_url: str, central_keys: CentralKeys, web_settings: WebSettings
                ) -> Iterator[WebCentral]:  # fmt: skip
    central = serve(db_url, central_keys, web_settings)
    yield central
    central.stop()


@pytest.fixture
def sqlite_web(tmp_path: Path, central_keys: CentralKeys, web_settings: WebSettings
               ) -> Iterator[WebCentral]:  # fmt: skip
    central = serve(f"sqlite:///{tmp_path / 'central.sqlite'}", central_keys, web_settings)
    yield central
    central.stop()
