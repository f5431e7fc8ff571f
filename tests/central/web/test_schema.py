"""The staff web's own migrations: applied once, beside the record service's, on both engines."""

from __future__ import annotations

from central.db import Database
from central.web.schema import MIGRATIONS, migrate


def test_migrations_apply_once_and_again_is_harmless(db_url):
    db = Database.open(db_url)
    try:
        db.migrate()
        assert migrate(db) == len(MIGRATIONS) == migrate(db)
        with db.read() as tx:
            versions = [r[0] for r in tx.all("SELECT version FROM web_schema_version"
                                             " ORDER BY version")]  # fmt: skip
            tx.one("SELECT alert_key, location, claimed_at, sent_at FROM web_alerts")
            record_side = tx.one("SELECT MAX(version) FROM schema_version")[0]
        assert versions == list(range(1, len(MIGRATIONS) + 1))
        assert record_side >= 1  # the record service's own count is untouched
    finally:
        db.close()
