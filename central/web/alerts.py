"""Alerts: a new case in the concerns queue, and "Poor"/"Very poor" answers at a ward.

An alert says only that something happened, where, and a link to sign in and see it: never a
name, contact detail or free text (a mailbox is not a safe place for them). Each case and each
poor answer is alerted once, even with several service processes: the ``web_alerts`` row is
claimed (INSERT ... ON CONFLICT DO NOTHING RETURNING) before anything is sent.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from collections import Counter
from email.message import EmailMessage

import requests

from central.db import Database
from central.returns import location_names
from central.trends import FLAG_PATTERNS, counted
from central.web.cases import Concerns
from central.web.settings import WebSettings

log = logging.getLogger("central.web.alerts")


class Alerts:
    def __init__(self, db: Database, settings: WebSettings, concerns: Concerns,
                 session: requests.Session | None = None) -> None:  # fmt: skip
        self.db, self.settings, self.concerns = db, settings, concerns
        self.http = session or requests.Session()
        self._stop = threading.Event()

    def check(self) -> int:
        """Send what is new since the last check; the number of messages sent."""
        names = location_names(self.db)
        sent = 0
        new_cases = self._claim("case", self.concerns.collect())
        by_location = Counter(loc for loc in self._locations_of(new_cases))
        for location, n in sorted(by_location.items()):
            sent += self._send("case", location, names.get(location, location), n,
                               f"{self.settings.base_url}/staff/cases")  # fmt: skip
        for location, n in sorted(self._poor().items()):
            sent += self._send("poor", location, names.get(location, location), n,
                               f"{self.settings.base_url}/staff/comments?location={location}")
        return sent

    def _claim(self, kind: str, keys: list[str]) -> list[str]:
        if not keys:
            return []
        with self.db.transaction() as tx:
            return tx.insert_returning(
                "INSERT INTO web_alerts (alert_key, kind, created_at) VALUES (?, ?, ?)"
                " ON CONFLICT (alert_key) DO NOTHING RETURNING alert_key",
                [(f"{kind}:{k}", kind, self.settings.clock()) for k in keys],
            )

    def _locations_of(self, claimed: list[str]) -> list[str]:
        ids = [k.split(":", 1)[1] for k in claimed]
        if not ids:
            return []
        with self.db.read() as tx:
            marks = ", ".join("?" * len(ids))
            return [r[0] for r in tx.all(
                f"SELECT location FROM web_cases WHERE record_id IN ({marks})", ids)]  # fmt: skip

    def _poor(self) -> Counter:
        since = self.settings.clock() - self.settings.poor_window
        with self.db.read() as tx:
            rows = tx.all(
                "SELECT record_id, location FROM responses WHERE fft_code IN (4, 5)"
                f" AND received_at >= ? AND {counted()} AND NOT EXISTS (SELECT 1 FROM web_alerts"
                " w WHERE w.alert_key = 'poor:' || responses.record_id)",
                (since, *FLAG_PATTERNS),
            )
        where = dict(rows)
        claimed = self._claim("poor", list(where))
        return Counter(where[k.split(":", 1)[1]] for k in claimed)

    def _send(self, kind: str, location: str, name: str, n: int, link: str) -> int:
        if kind == "case":
            subject = f"Patient Voice: {n} new contact request(s) at {name}"
            text = (f"{n} person(s) at {name} asked to be contacted by the concerns team.\n"
                    "Their details are in the concerns queue (sign in to see them):\n" + link)
        else:
            subject = f"Patient Voice: {n} 'Poor' or 'Very poor' answer(s) at {name}"
            text = (f"{name} received {n} Friends and Family Test answer(s) of 'Poor' or"
                    f" 'Very poor'.\nSign in to read the comments:\n{link}")
        text += "\n\nThis message holds no personal details on purpose.\n"
        sent = 0
        if self.settings.smtp_host and self.settings.alert_to:
            sent += self._email(subject, text)
        if self.settings.webhook_url:
            sent += self._webhook({"event": kind, "location": location, "location_name": name,
                                   "count": n, "link": link})  # fmt: skip
        return sent

    def _email(self, subject: str, text: str) -> int:
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
            log.warning("alert email not sent (%s): %s", type(exc).__name__, exc)
            return 0
        return 1

    def _webhook(self, body: dict) -> int:
        try:
            resp = self.http.post(self.settings.webhook_url, json=body, timeout=10)
            resp.raise_for_status()
        except requests.RequestException as exc:
            log.warning("alert webhook failed: %s", type(exc).__name__)
            return 0
        return 1

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
