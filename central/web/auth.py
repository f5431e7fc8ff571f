"""Staff accounts, passwords, sessions and the audit log of the staff web.

* Passwords: scrypt (n=2**15, r=8: ~70 ms and 32 MiB each), ``scrypt$n$r$p$salt$hash``.
  An unknown username costs the same scrypt, so timing does not tell which names exist.
* Lock-out: ``max_failures`` wrong passwords in a row lock the account for ``lockout_seconds``;
  while locked even the right password is refused (and not checked).
* Sessions: 256 random bits in an HttpOnly cookie, stored only as SHA-256; they end after
  ``idle_seconds`` without a request and ``absolute_seconds`` after sign-in, whichever is first.
  Each session has its own CSRF token that every form must send back.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass

from central.db import Database, Tx
from central.web.settings import WebSettings
from kiosk.errors import PatientVoiceError

ROLES = {
    "patient_experience": "Patient experience team",
    "ward_manager": "Ward manager",
    "concerns": "Concerns and PALS team",
    "it": "IT",
}
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
LOCATION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
MIN_PASSWORD = 12
_MAXMEM = 128 * 1024 * 1024


class StaffError(PatientVoiceError):
    """A staff account could not be made or used as asked (the message says what to fix)."""

    user_message = "That could not be done. Please check what was entered."


@dataclass(frozen=True)
class Staff:
    username: str
    role: str
    locations: tuple[str, ...]  # ward managers: the locations they may see; others: ()
    csrf: str = ""

    def sees(self, location: str) -> bool:
        return self.role != "ward_manager" or location in self.locations


def hash_password(password: str, n: int = 2**15) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=8, p=1,
                            maxmem=_MAXMEM, dklen=32)  # fmt: skip
    b64 = base64.b64encode
    return f"scrypt${n}$8$1${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, digest = stored.split("$")
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n),
                             r=int(r), p=int(p), maxmem=_MAXMEM, dklen=32)  # fmt: skip
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, base64.b64decode(digest))


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_new_account(username: str, role: str, locations: tuple[str, ...], password: str) -> None:
    problems = []
    if not USERNAME.match(username or ""):
        problems.append("the username must be 2-64 lower-case letters, digits, '.', '_' or '-'")
    if role not in ROLES:
        problems.append(f"the role must be one of {', '.join(ROLES)}")
    if role == "ward_manager" and not locations:
        problems.append("a ward manager needs at least one --location (the wards they manage)")
    if role != "ward_manager" and locations:
        problems.append("only ward managers are limited to locations; leave out --location")
    problems += [f"location {loc!r} must be a short code like ward-3"
                 for loc in locations if not LOCATION.match(loc)]  # fmt: skip
    if len(password) < MIN_PASSWORD:
        problems.append(f"the password must be at least {MIN_PASSWORD} characters")
    if problems:
        raise StaffError("; ".join(problems))


class Accounts:
    def __init__(self, db: Database, settings: WebSettings) -> None:
        self.db, self.settings = db, settings
        # Verified against for unknown usernames, so they cost the same time as known ones.
        self._decoy = hash_password(secrets.token_hex(16), settings.scrypt_n)

    def add(self, username: str, role: str, password: str, locations: tuple[str, ...] = ()) -> None:
        check_new_account(username, role, locations, password)
        stored = hash_password(password, self.settings.scrypt_n)
        with self.db.transaction() as tx:
            row = tx.one(
                "INSERT INTO web_users (username, password_hash, role, created_at) VALUES"
                " (?, ?, ?, ?) ON CONFLICT (username) DO NOTHING RETURNING username",
                (username, stored, role, self.settings.clock()),
            )
            if row is None:
                raise StaffError(f"there is already a staff account called {username!r}")
            tx.executemany(
                "INSERT INTO web_user_locations (username, location) VALUES (?, ?)",
                [(username, loc) for loc in sorted(set(locations))],
            )
            audit(tx, self.settings.clock(), "(cli)", "account_added", f"{username} as {role}")

    def change(self, username: str, *, password: str | None = None, unlock: bool = False,
               disable: bool | None = None) -> None:  # fmt: skip
        """IT's account care: a new password, unlocking, disabling (which ends its sessions)."""
        if password is not None and len(password) < MIN_PASSWORD:
            raise StaffError(f"the password must be at least {MIN_PASSWORD} characters")
        stored = hash_password(password, self.settings.scrypt_n) if password is not None else None
        with self.db.transaction() as tx:
            if tx.one("SELECT 1 FROM web_users WHERE username = ?", (username,)) is None:
                raise StaffError(f"there is no staff account called {username!r}")
            if stored is not None:
                tx.execute("UPDATE web_users SET password_hash = ? WHERE username = ?",
                           (stored, username))  # fmt: skip
            if unlock or stored is not None:
                tx.execute("UPDATE web_users SET failed = 0, locked_until = NULL"
                           " WHERE username = ?", (username,))  # fmt: skip
            if disable is not None:
                tx.execute("UPDATE web_users SET disabled = ? WHERE username = ?",
                           (int(disable), username))  # fmt: skip
            if stored is not None or disable:
                tx.execute("DELETE FROM web_sessions WHERE username = ?", (username,))
            what = [w for w, on in (("password", stored), ("unlocked", unlock),
                                    ("disabled" if disable else "enabled", disable is not None))
                    if on]  # fmt: skip
            audit(tx, self.settings.clock(), "(cli)", "account_changed",
                  f"{username}: {', '.join(what)}")

    def list(self) -> list[tuple[str, str, tuple[str, ...], str]]:
        """(username, role, locations, state: "", "locked" or "disabled")."""
        with self.db.read() as tx:
            users = tx.all("SELECT username, role, locked_until, disabled FROM web_users"
                           " ORDER BY username")  # fmt: skip
            locs = tx.all("SELECT username, location FROM web_user_locations ORDER BY location")
        now = self.settings.clock()
        return [(u, r, tuple(loc for n, loc in locs if n == u),
                 "disabled" if off else ("locked" if lk and lk > now else ""))
                for u, r, lk, off in users]  # fmt: skip

    def sign_in(self, username: str, password: str) -> str | None:
        """A new session token, or None (wrong name or password, or locked: not told apart)."""
        now = self.settings.clock()
        with self.db.read() as tx:
            row = tx.one("SELECT password_hash, locked_until, disabled FROM web_users"
                         " WHERE username = ?", (username,))  # fmt: skip
        if row is None:
            verify_password(password, self._decoy)
            return None
        if row[2] or (row[1] is not None and row[1] > now):
            return None
        if not verify_password(password, row[0]):
            self._failed(username, now)
            return None
        token = secrets.token_urlsafe(32)
        with self.db.transaction() as tx:
            tx.execute("UPDATE web_users SET failed = 0, locked_until = NULL WHERE username = ?",
                       (username,))  # fmt: skip
            tx.execute(
                "INSERT INTO web_sessions (token_hash, username, csrf, created_at, last_seen)"
                " VALUES (?, ?, ?, ?, ?)",
                (_sha(token), username, secrets.token_urlsafe(24), now, now),
            )
            tx.execute("DELETE FROM web_sessions WHERE created_at < ?",
                       (now - self.settings.absolute_seconds,))  # fmt: skip
            audit(tx, now, username, "signed_in", "")
        return token

    def _failed(self, username: str, now: float) -> None:
        s = self.settings
        with self.db.transaction() as tx:
            # One UPDATE counts and locks, so parallel wrong guesses cannot slip past the limit.
            tx.execute(
                "UPDATE web_users SET failed = failed + 1, locked_until = CASE WHEN failed + 1"
                " >= ? THEN ? ELSE locked_until END WHERE username = ?",
                (s.max_failures, now + s.lockout_seconds, username),
            )
            tx.execute("UPDATE web_users SET failed = 0 WHERE username = ? AND failed >= ?",
                       (username, s.max_failures))  # fmt: skip
            audit(tx, now, username, "sign_in_failed", "")

    def session(self, token: str | None) -> Staff | None:
        """The signed-in staff member, or None (no, unknown or expired session)."""
        if not token:
            return None
        now, s = self.settings.clock(), self.settings
        with self.db.transaction(durable=False) as tx:
            row = tx.one(
                "SELECT s.username, u.role, s.csrf, s.created_at, s.last_seen FROM web_sessions s"
                " JOIN web_users u ON u.username = s.username"
                " WHERE s.token_hash = ? AND u.disabled = 0",
                (_sha(token),),
            )
            if row is None:
                return None
            if now - row[4] > s.idle_seconds or now - row[3] > s.absolute_seconds:
                tx.execute("DELETE FROM web_sessions WHERE token_hash = ?", (_sha(token),))
                return None
            tx.execute("UPDATE web_sessions SET last_seen = ? WHERE token_hash = ?",
                       (now, _sha(token)))  # fmt: skip
            locs = tx.all("SELECT location FROM web_user_locations WHERE username = ?"
                          " ORDER BY location", (row[0],))  # fmt: skip
        return Staff(row[0], row[1], tuple(r[0] for r in locs), row[2])

    def sign_out(self, token: str, username: str) -> None:
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM web_sessions WHERE token_hash = ?", (_sha(token),))
            audit(tx, self.settings.clock(), username, "signed_out", "")


def audit(tx: Tx, at: float, username: str, action: str, subject: str) -> None:
    """One line of the audit log, in the same transaction as what it records."""
    tx.execute("INSERT INTO web_audit (at, username, action, subject) VALUES (?, ?, ?, ?)",
               (at, username, action, subject))  # fmt: skip


def audit_log(db: Database, limit: int = 200) -> list[tuple]:
    with db.read() as tx:
        return tx.all("SELECT at, username, action, subject FROM web_audit"
                      " ORDER BY id DESC LIMIT ?", (limit,))  # fmt: skip
