"""Fixtures for the sync agent tests: a live central record on loopback (tests/central/live.py)."""

from tests.central.live import (  # noqa: F401  (fixtures)
    central_keys,
    db_url,
    live_central,
    postgres_server,
    sqlite_central,
)
