"""The concerns queue and the involvement list: the only place sealed contact details are opened.

A case is a response whose anonymous answers include a ``contact`` answer (the person asked to be
contacted); an involvement sign-up is one with an ``involvement`` answer. Both come from the
reporting tables written at ingest; the details themselves stay sealed in ``records`` until a
concerns-team member opens one here, with the contacts private key, and every opening is written
to the audit log in the same transaction that reads the sealed bytes.

Due date: the end of the ``first_contact_days``-th working day after the request arrived
(Monday to Friday, not an England bank holiday), in the trust's local time.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import holidays

from central.db import Database
from central.fft import local_midnight, zone
from central.web.auth import Staff, StaffError, audit
from central.web.settings import WebSettings
from kiosk.crypto import PrivateKey
from kiosk.errors import CryptoError

STATUSES = ("new", "contacted", "resolved")
NEEDS = {
    "large_print": "Large print",
    "easy_read": "Easy Read",
    "braille": "Braille",
    "audio": "Audio",
    "bsl_interpreter": "British Sign Language interpreter",
    "interpreter": "Spoken language interpreter",
    "email_or_text_instead_of_phone": "Email or text instead of phone",
    "someone_to_help": "Someone to help",
    "none": "No particular needs",
}
METHODS = {"phone": "Phone", "email": "Email", "post": "Post", "text": "Text message"}
INTERESTS = {
    "patient_panel": "Patient panel",
    "volunteering": "Volunteering",
    "research": "Research",
    "training": "Training",
    "reading_group": "Reading group",
}
NO_KEY = (
    "The contacts private key is not on this server, so contact details cannot be opened here. "
    "Ask IT to install it where the concerns team works (setting contacts_key)."
)


@lru_cache(maxsize=8)
def _bank_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=[year]))


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def due_at(received: float, working_days: int, tz: str) -> float:
    """Local midnight at the end of the ``working_days``-th working day after ``received``."""
    day = dt.datetime.fromtimestamp(received, zone(tz)).date()
    left = working_days
    while left > 0:
        day += dt.timedelta(days=1)
        left -= is_working_day(day)
    return local_midnight(day + dt.timedelta(days=1), tz)


@dataclass(frozen=True)
class Case:
    record_id: str
    location: str
    received_at: float
    due_at: float
    status: str
    overdue: bool


@dataclass(frozen=True)
class Details:
    """What the person gave, opened from the sealed payload (never stored opened)."""

    name: str
    method: str
    value: str
    needs: tuple[str, ...]
    needs_other: str
    interests: tuple[str, ...] = ()
    language: str = ""


class Concerns:
    def __init__(self, db: Database, settings: WebSettings) -> None:
        self.db, self.settings = db, settings

    def collect(self) -> list[str]:
        """Make a case of every contact request not yet in the queue; the new record ids."""
        with self.db.read() as tx:
            rows = tx.all(
                "SELECT r.record_id, r.location, r.received_at FROM responses r JOIN answers a"
                " ON a.record_id = r.record_id AND a.kind = 'contact' WHERE r.has_contact = 1"
                " AND NOT EXISTS (SELECT 1 FROM web_cases c WHERE c.record_id = r.record_id)"
            )
        if not rows:
            return []
        s = self.settings
        with self.db.transaction() as tx:
            return tx.insert_returning(
                "INSERT INTO web_cases (record_id, location, received_at, due_at, status)"
                " VALUES (?, ?, ?, ?, 'new') ON CONFLICT (record_id) DO NOTHING"
                " RETURNING record_id",
                [(rid, loc, at, due_at(at, s.first_contact_days, s.timezone))
                 for rid, loc, at in rows],  # fmt: skip
            )

    def queue(self, include_resolved: bool = False) -> list[Case]:
        self.collect()
        now = self.settings.clock()
        where = "" if include_resolved else " WHERE status <> 'resolved'"
        with self.db.read() as tx:
            rows = tx.all("SELECT record_id, location, received_at, due_at, status FROM web_cases"
                          + where + " ORDER BY due_at, received_at")  # fmt: skip
        return [Case(*r, overdue=r[4] == "new" and now >= r[3]) for r in rows]

    def case(self, record_id: str) -> Case | None:
        cases = [c for c in self.queue(include_resolved=True) if c.record_id == record_id]
        return cases[0] if cases else None

    def set_status(self, staff: Staff, record_id: str, status: str) -> None:
        if status not in STATUSES:
            raise StaffError(f"status must be one of {', '.join(STATUSES)}")
        now = self.settings.clock()
        with self.db.transaction() as tx:
            cur = tx.execute("UPDATE web_cases SET status = ?, updated_by = ?, updated_at = ?"
                             " WHERE record_id = ?", (status, staff.username, now, record_id))
            if cur.rowcount != 1:
                raise StaffError("there is no such case")
            audit(tx, now, staff.username, "case_status", f"{record_id} -> {status}")

    def key(self) -> PrivateKey | None:
        path = self.settings.contacts_key
        if path is None or not Path(path).exists():
            return None
        try:
            return PrivateKey.load(Path(path))
        except CryptoError:
            return None

    def open_details(self, staff: Staff, record_id: str, action: str = "viewed_contact") -> Details:
        """Open one person's sealed details; the audit line commits before they are shown."""
        key = self.key()
        if key is None:
            raise StaffError(NO_KEY)
        with self.db.transaction() as tx:
            row = tx.one("SELECT sealed_contact FROM records WHERE record_id = ?", (record_id,))
            if row is None or row[0] is None:
                raise StaffError("there are no contact details for this case")
            audit(tx, self.settings.clock(), staff.username, action, record_id)
        return _details(key, bytes(row[0]), record_id)

    def quarantined(self) -> int:
        """Contact requests inside records the service could not take in (quarantined, e.g. an
        unknown survey version): not cases until `kiosk-central reingest` takes them in."""
        with self.db.read() as tx:
            row = tx.one("SELECT COUNT(*) FROM records WHERE status = 'rejected'"
                         " AND sealed_contact IS NOT NULL")  # fmt: skip
        return int(row[0])

    def involvement(self) -> list[tuple[str, str, float]]:
        """Sign-ups: (record id, location, received at), newest first."""
        with self.db.read() as tx:
            return tx.all(
                "SELECT r.record_id, r.location, r.received_at FROM responses r JOIN answers a"
                " ON a.record_id = r.record_id AND a.kind = 'involvement'"
                " WHERE r.has_contact = 1 ORDER BY r.received_at DESC"
            )

    def involvement_details(self, staff: Staff, action: str) -> list[tuple[str, float, Details]]:
        key = self.key()
        if key is None:
            raise StaffError(NO_KEY)
        rows = self.involvement()
        with self.db.transaction() as tx:
            sealed = {rid: tx.one("SELECT sealed_contact FROM records WHERE record_id = ?",
                                  (rid,))[0] for rid, _, _ in rows}  # fmt: skip
            audit(tx, self.settings.clock(), staff.username, action, f"{len(rows)} sign-ups")
        out = []
        for rid, loc, at in rows:
            out.append((loc, at, _details(key, bytes(sealed[rid]), rid, "involvement")))
        return out

    def involvement_csv(self, staff: Staff) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(["Location", "Signed up", "Name", "Interests", "Preferred contact",
                    "Contact", "Communication needs"])  # fmt: skip
        tz = zone(self.settings.timezone)
        for loc, at, d in self.involvement_details(staff, "exported_involvement"):
            w.writerow([loc, dt.datetime.fromtimestamp(at, tz).strftime("%Y-%m-%d"), d.name,
                        "; ".join(INTERESTS.get(i, i) for i in d.interests), d.method,
                        d.value, "; ".join(NEEDS.get(n, n) for n in d.needs)])  # fmt: skip
        return buf.getvalue()


def _details(key: PrivateKey, sealed: bytes, record_id: str, part: str = "contact") -> Details:
    try:
        payload = json.loads(key.open(sealed, "contacts", record_id))
    except (CryptoError, ValueError) as exc:
        raise StaffError("these contact details cannot be opened with this key") from exc
    given = payload.get(part) or payload.get("contact") or {}
    return Details(
        name=str(given.get("name", "")),
        method=str(given.get("method", "")),
        value=str(given.get("value", "")),
        needs=tuple(str(n) for n in given.get("needs") or ()),
        needs_other=str(given.get("needs_other", "")),
        interests=tuple(str(i) for i in given.get("interests") or ()),
        language=str(payload.get("language", "")),
    )
