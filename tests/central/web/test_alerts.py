"""Alerts through a real SMTP server on loopback (aiosmtpd) and a tiny loopback webhook."""

from __future__ import annotations

import dataclasses
import email
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from aiosmtpd.controller import Controller

from tests.central.live import free_port
from tests.central.web.staff import CONTACT, response


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def webhook():
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers["content-length"]))
            received.append(json.loads(body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received
    server.shutdown()


def test_a_new_case_and_poor_answers_alert_by_email_and_webhook(web_central, smtp, webhook):
    c = web_central
    controller, inbox = smtp
    url, hooks = webhook
    c.web.alerts.settings = dataclasses.replace(
        c.web.alerts.settings, smtp_host="127.0.0.1", smtp_port=controller.port,
        alert_to=("pals@example.nhs.uk",), webhook_url=url, base_url="https://pv.example")
    c.ingest([response(c, "ward-3", fft=5, contact=CONTACT, comment="Rude to my mother",
                       name="Ward 3"),
              response(c, "ward-3", fft=4, comment="Cold food"),
              response(c, "ward-3", fft=1, comment="Lovely"),
              response(c, "ward-4", fft=5, flags=frozenset({"test"}))])  # fmt: skip
    assert c.web.alerts.check() == 4  # (case + poor) x (email + webhook)
    subjects = sorted(m["Subject"] for m in inbox.messages)
    assert subjects == ["Patient Voice: 1 new contact request(s) at Ward 3",
                        "Patient Voice: 2 'Poor' or 'Very poor' answer(s) at Ward 3"]
    for message in inbox.messages:
        body = message.get_payload(decode=True).decode()
        assert message["To"] == "pals@example.nhs.uk"
        for secret in (CONTACT["name"], CONTACT["value"], "Rude to my mother", "Cold food"):
            assert secret not in body and secret not in message["Subject"]
        assert "https://pv.example/staff/" in body
    assert sorted(h["event"] for h in hooks) == ["case", "poor"]
    assert {h["location"] for h in hooks} == {"ward-3"}
    assert all(CONTACT["name"] not in json.dumps(h) for h in hooks)
    # Each case and answer is alerted once only.
    assert c.web.alerts.check() == 0 and len(inbox.messages) == 2


def test_a_failed_send_is_logged_and_retried_later(sqlite_web, smtp, clock, caplog):
    c = sqlite_web
    controller, inbox = smtp
    c.web.alerts.settings = dataclasses.replace(
        c.web.alerts.settings, smtp_host="127.0.0.1", smtp_port=free_port(),
        alert_to=("pals@example.nhs.uk",))
    c.ingest([response(c, "ward-3", contact=CONTACT)])
    assert c.web.alerts.check() == 0  # nobody listening on that port
    assert "alert email not sent, retried later" in caplog.text
    assert CONTACT["name"] not in caplog.text
    c.web.alerts.settings = dataclasses.replace(c.web.alerts.settings, smtp_port=controller.port)
    assert c.web.alerts.check() == 0  # claimed a moment ago: not yet due again
    clock.advance(301)
    assert c.web.alerts.check() == 1
    assert [m["Subject"] for m in inbox.messages] == [
        "Patient Voice: 1 new contact request(s) at Ward 3"]
    clock.advance(301)
    assert c.web.alerts.check() == 0  # sent: never again
