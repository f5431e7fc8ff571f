"""Fixtures for the central record's tests: each API test runs on SQLite and on a real PostgreSQL."""
from tests.central.live import (  # noqa: F401  (fixtures)
    central_keys,
    db_url,
    live_central,
    postgres_server,
    sqlite_central,
)
