"""Fixtures for the central record's tests: API tests run on SQLite and a real PostgreSQL."""

import os
from collections.abc import Iterator

import pytest

from tests.central.live import (  # noqa: F401  (fixtures)
    central_keys,
    db_url,
    live_central,
    postgres_server,
    sqlite_central,
)


@pytest.fixture(autouse=True)
def _keep_umask() -> Iterator[None]:
    """`kiosk-central` commands run in-process set the umask to 077 (central/private.py); put
    the test process's own back so one test does not change the files of the next."""
    old = os.umask(0o022)
    os.umask(old)
    yield
    os.umask(old)
