"""The staff web's own tables beside the central record's (central/db.py); SQLite and PostgreSQL.

Kept apart from ``central.db.MIGRATIONS`` (owned by the record service): the staff web counts its
own versions in ``web_schema_version``, so either side can add migrations without renumbering the
other. Same placeholders: {blob}, {float}, {serial}. Every table name starts with ``web_``.
"""

from __future__ import annotations

from central.db import Database

MIGRATIONS: list[str] = [
    """
    CREATE TABLE web_users (
        username TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL,
        created_at {float} NOT NULL, failed INTEGER NOT NULL DEFAULT 0, locked_until {float},
        disabled INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE web_user_locations (
        username TEXT NOT NULL, location TEXT NOT NULL, PRIMARY KEY (username, location));
    CREATE TABLE web_sessions (
        token_hash TEXT PRIMARY KEY, username TEXT NOT NULL, csrf TEXT NOT NULL,
        created_at {float} NOT NULL, last_seen {float} NOT NULL);
    CREATE TABLE web_yswh (
        item_id TEXT PRIMARY KEY, locations TEXT NOT NULL, body TEXT NOT NULL,
        status TEXT NOT NULL, author TEXT NOT NULL, created_at {float} NOT NULL,
        updated_at {float} NOT NULL, published_by TEXT, published_at {float});
    CREATE TABLE web_cases (
        record_id TEXT PRIMARY KEY, location TEXT NOT NULL, received_at {float} NOT NULL,
        due_at {float} NOT NULL, status TEXT NOT NULL, updated_by TEXT, updated_at {float});
    CREATE TABLE web_audit (
        id {serial}, at {float} NOT NULL, username TEXT NOT NULL, action TEXT NOT NULL,
        subject TEXT NOT NULL);
    CREATE TABLE web_alerts (
        alert_key TEXT PRIMARY KEY, kind TEXT NOT NULL, created_at {float} NOT NULL);
    CREATE INDEX web_cases_status ON web_cases (status, due_at);
    CREATE INDEX web_audit_at ON web_audit (at);
    """,
    # Alerts per channel, retried until sent (a mail server down for a while loses nothing).
    """
    ALTER TABLE web_alerts ADD COLUMN location TEXT;
    ALTER TABLE web_alerts ADD COLUMN claimed_at {float};
    ALTER TABLE web_alerts ADD COLUMN sent_at {float};
    """,
    # Themes staff confirmed or corrected for a comment (central/web/themes.py).
    """
    CREATE TABLE web_comment_themes (
        record_id TEXT NOT NULL, question_id TEXT NOT NULL, themes TEXT NOT NULL,
        sentiment TEXT NOT NULL, confirmed_by TEXT NOT NULL, confirmed_at {float} NOT NULL,
        PRIMARY KEY (record_id, question_id));
    """,
]

_TYPES = {
    "sqlite": {"blob": "BLOB", "float": "REAL", "serial": "INTEGER PRIMARY KEY AUTOINCREMENT"},
    "postgres": {"blob": "BYTEA", "float": "DOUBLE PRECISION", "serial": "BIGSERIAL PRIMARY KEY"},
}
_PG_LOCK = 7230601  # a different advisory lock from central.db's: the two may migrate at once


def migrate(db: Database) -> int:
    """Apply the staff web's pending migrations exactly once (safe with several processes)."""
    with db.transaction() as tx:
        if tx.dialect == "postgres":
            tx.execute(f"SELECT pg_advisory_xact_lock({_PG_LOCK})")
        tx.execute("CREATE TABLE IF NOT EXISTS web_schema_version (version INTEGER NOT NULL)")
        row = tx.one("SELECT MAX(version) FROM web_schema_version")
        current = (row[0] or 0) if row else 0
        for number, script in enumerate(MIGRATIONS[current:], start=current + 1):
            for statement in script.format(**_TYPES[tx.dialect]).split(";"):
                if statement.strip():
                    tx.execute(statement)
            tx.execute("INSERT INTO web_schema_version (version) VALUES (?)", (number,))
    return len(MIGRATIONS)
