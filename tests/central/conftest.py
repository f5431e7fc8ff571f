"""Fixtures for the central record's tests: API tests run on SQLite and a real PostgreSQL."""

from tests.central.live import (  # noqa: F401  (fixtures)
    central_keys,
    db_url,
    live_central,
    postgres_server,
    sqlite_central,
)
