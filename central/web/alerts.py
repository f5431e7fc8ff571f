"""Alerts: a new case in the concerns queue, and "Poor"/"Very poor" answers at a ward.

An alert says only that something happened, where, and a link to sign in and see it: never a
name, contact detail or free text (a mailbox is not a safe place for them). Each case and each
poor answer is alerted once per channel (email, webhook), even with several service processes:
its ``web_alerts`` row is claimed (INSERT ... ON CONFLICT DO NOTHING RETURNING) before anything is
sent, and marked sent after. A send that failed is claimed again after ``RETRY_AFTER`` seconds.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from collections import defaultdict
from email.message import EmailMessage

import requests

from central.db import Database
from central.returns import location_names
from central.trends import FLAG_PATTERNS, counted
from central.web.cases import Concerns
from central.web.settings import WebSettings

log = logging.getLogger("central.web.alerts")
RETRY_AFTER = 300.0  # seconds before an alert that failed to send is tried again


class Alerts:
    def __init__(self, db: Database, settings: WebSettings, concerns: Concerns,
                 session: requests.Session | None = None) -> None:  # fmt: skip
        self.db, self.settings, self.concerns = db, settings, concerns
        self.http = session or requests.Session()
        self._stop = threading.Event()

    def check(self) -> int:
        """Send what is new (and retry what failed before); the number of messages sent."""
        names = location_names(self.db)
        self.concerns.collect()
        sent = 0
        for channel in self._channels():
            due = self._claim(channel, self._candidates(channel)) + self._stale(channel)
            groups: dict[tuple[str, str], list[str]] = defaultdict(list)
            for key, kind, location in due:
                groups[(kind, location)].append(key)
            for (kind, location), keys in sorted(groups.items()):
                if self._send(channel, kind, location, names.get(location, location), len(keys)):
                    self._mark_sent(keys)
                    sent += 1
        return sent

    def _channels(self) -> list[str]:
        s = self.settings
        return (["email"] if s.smtp_host and s.alert_to else []) + (
            ["webhook"] if s.webhook_url else [])  # fmt: skip

    def _candidates(self, channel: str) -> list[tuple[str, str, str]]:
        """(key, kind, location) of open cases and recent poor answers not yet alerted."""
        since = self.settings.clock() - self.settings.poor_window
        with self.db.read() as tx:
            cases = tx.all(
                "SELECT c.record_id, c.location FROM web_cases c WHERE c.status = 'new' AND NOT"
                " EXISTS (SELECT 1 FROM web_alerts w WHERE w.alert_key = ? || c.record_id)",
                (f"{channel}:case:",),
            )
            poor = tx.all(
                "SELECT r.record_id, r.location FROM responses r WHERE r.fft_code IN (4, 5) AND"
                f" r.received_at >= ? AND {counted('r.flags')} AND NOT EXISTS (SELECT 1 FROM"
                " web_alerts w WHERE w.alert_key = ? || r.record_id)",
                (since, *FLAG_PATTERNS, f"{channel}:poor:"),
            )
        return [(f"{channel}:case:{rid}", "case", loc) for rid, loc in cases] + [
            (f"{channel}:poor:{rid}", "poor", loc) for rid, loc in poor]  # fmt: skip

    def _claim(self, channel: str, rows: list[tuple[str, str, str]]) -> list[tuple]:
        # The unique key decides which process sends: the others get nothing back.
        if not rows:
            return []
        now = self.settings.clock()
        kinds = {key: (kind, loc) for key, kind, loc in rows}
        with self.db.transaction() as tx:
            keys = tx.insert_returning(
                "INSERT INTO web_alerts (alert_key, kind, created_at, location, claimed_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (alert_key) DO NOTHING RETURNING alert_key",
                [(key, kind, now, loc, now) for key, kind, loc in rows],
            )
        return [(key, *kinds[key]) for key in keys]

    def _stale(self, channel: str) -> list[tuple]:
        """Alerts claimed earlier whose sending failed: claimed again for one more try."""
        now = self.settings.clock()
        with self.db.transaction() as tx:
            return tx.all(
                "UPDATE web_alerts SET claimed_at = ? WHERE sent_at IS NULL AND claimed_at < ?"
                " AND alert_key LIKE ? RETURNING alert_key, kind, location",
                (now, now - RETRY_AFTER, f"{channel}:%"),
            )

    def _mark_sent(self, keys: list[str]) -> None:
        with self.db.transaction() as tx:
            tx.executemany("UPDATE web_alerts SET sent_at = ? WHERE alert_key = ?",
                           [(self.settings.clock(), key) for key in keys])  # fmt: skip

    def _send(self, channel: str, kind: str, location: str, name: str, n: int) -> bool:
        base = self.settings.base_url
        if kind == "case":
            link = f"{base}/staff/cases"
            subject = f"Patient Voice: {n} new contact request(s) at {name}"
            text = (f"{n} person(s) at {name} asked to be contacted by the concerns team.\n"
                    "Their details are in the concerns queue (sign in to see them):\n" + link)
        else:
            link = f"{base}/staff/comments?location={location}"
            subject = f"Patient Voice: {n} 'Poor' or 'Very poor' answer(s) at {name}"
            text = (f"{name} received {n} Friends and Family Test answer(s) of 'Poor' or"
                    f" 'Very poor'.\nSign in to read the comments:\n{link}")
        text += "\n\nThis message holds no personal details on purpose.\n"
        if channel == "email":
            return self._email(subject, text)
        return self._webhook({"event": kind, "location": location, "location_name": name,
                              "count": n, "link": link})  # fmt: skip

    def _email(self, subject: str, text: str) -> bool:
        s = self.settings
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = s.mail_from, ", ".join(s.alert_to), subject
        msg.set_content(text)
        try:
            with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=20) as smtp:
                if s.smtp_starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if s.smtp_user:
                    smtp.login(s.smtp_user, s.smtp_password)
                smtp.send_message(msg)
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("alert email not sent, retried later (%s): %s", type(exc).__name__, exc)
            return False
        return True

    def _webhook(self, body: dict) -> bool:
        try:
            resp = self.http.post(self.settings.webhook_url, json=body, timeout=10)
            resp.raise_for_status()
        except requests.RequestException as exc:
            log.warning("alert webhook failed, retried later: %s", type(exc).__name__)
            return False
        return True

    # ---------------------------------------------------------------- background

    def start(self) -> threading.Thread | None:
        if self.settings.alert_interval <= 0:
            return None
        thread = threading.Thread(target=self._loop, name="staff-alerts", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.wait(self.settings.alert_interval):
            try:
                self.check()
            except Exception:  # noqa: BLE001 - a failed round must not end the loop
                log.exception("alert check failed; trying again next round")
