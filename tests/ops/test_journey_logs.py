"""Full journeys through the real core, logging at DEBUG, then every log file is searched.

RespondentSession -> SealedStore -> `kiosk sync --once` -> the real central record on loopback
(in this process, so the central's own log lines land in the same files), plus `kiosk enrol` and
`kiosk status`. Answers carry distinctive free text and contact details; none of them, nor the
device token or the enrolment code, may appear in any log line. The test also proves the data
really travelled (the central holds the free text; the sealed contact opens to the phone number),
so an empty search cannot pass by accident.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from kiosk.cli import main
from kiosk.config import load_config, update_config
from kiosk.session import DeviceInfo, RespondentSession
from kiosk.store import SealedStore
from kiosk.survey import load_survey
from tests.central.live import FFT_SURVEY, LiveCentral
from tests.ops.conftest import log_lines

COMMENT = "Quizzical marmalade heron nibbled the tapestry"
NAME = "Zebedee Featherstonehaugh"
PHONE = "07700 900461"
EMAIL = "zebedee.f@example.org"
NEEDS_OTHER = "Semaphore interpreter please"
POSTCODE = "YO31 7XQ"


def contact_answer() -> dict:
    return {
        "name": NAME,
        "method": "phone",
        "value": PHONE,
        "needs": ["large_print"],
        "needs_other": NEEDS_OTHER + " " + POSTCODE,
    }


def involvement_answer() -> dict:
    return {
        "interests": ["patient_panel"],
        "name": NAME,
        "method": "email",
        "value": EMAIL,
        "needs": [],
    }


def run_journey(session: RespondentSession, language: str, *, comment: str) -> None:
    session.start(language)
    while session.current is not None:
        q = session.current
        if q.kind == "fft":
            session.answer(2)
        elif q.kind == "free_text":
            session.set_draft(comment[:10])  # half-typed first, as on the keyboard
            session.answer(comment)
        elif q.kind == "yes_no":
            session.answer(True)
        elif q.kind == "contact":
            session.answer(contact_answer())
        elif q.kind == "involvement":
            session.answer(involvement_answer())
        elif q.kind == "single_choice":
            session.answer(q.options[0].id)
        elif q.kind == "multi_choice":
            session.answer([q.options[0].id])
        else:
            session.skip()
    session.finish()


def test_no_answer_contact_detail_or_token_reaches_any_log(
    kiosk_logging: Path, sqlite_central: LiveCentral, tmp_path: Path, monkeypatch
) -> None:
    # The kiosk CLI sets up its own logging per command: keep it at the most it can ever write.
    monkeypatch.setenv("KIOSK_LOG_LEVEL", "DEBUG")
    logging.getLogger("urllib3").setLevel(logging.DEBUG)
    cfg_path = tmp_path / "kiosk.toml"
    update_config({"kiosk": {"data_dir": str(kiosk_logging)}}, cfg_path)
    code = sqlite_central.enrol(location="ward-7", name="Ward 7")
    assert (
        main(["--config", str(cfg_path), "enrol", "--central", sqlite_central.url, "--code", code])
        == 0
    )
    cfg = load_config(cfg_path)
    survey = load_survey(FFT_SURVEY)
    device = DeviceInfo(cfg.device.id, cfg.device.site, cfg.device.location)

    with SealedStore(cfg.store_path, *cfg.sealers()) as store:
        for n, language in enumerate(["en", "cy", "ar"]):
            run_journey(
                RespondentSession(survey, device, store.add), language, comment=f"{COMMENT} {n}"
            )
        abandoned = RespondentSession(survey, device, store.add)  # walked away mid-comment
        abandoned.start("pl")
        abandoned.answer(4)
        abandoned.set_draft(COMMENT + " draft")
        abandoned.abandon()
        assert store.count_pending() == 4

    sqlite_central.stop()  # the error paths log too: network down first
    assert main(["--config", str(cfg_path), "sync", "--once"]) == 2
    sqlite_central.start()
    assert main(["--config", str(cfg_path), "sync", "--once"]) == 0
    assert main(["--config", str(cfg_path), "status"]) == 0
    assert main(["--config", str(cfg_path), "status", "--json"]) == 0

    # The data really went through: free text at the central, contact sealed to its key.
    with sqlite_central.db.read() as tx:
        texts = [r[0] for r in tx.all("SELECT value FROM answers WHERE question_id = 'why'")]
        sealed = tx.all(
            "SELECT record_id, sealed_contact FROM records WHERE sealed_contact IS NOT NULL"
        )
    assert sorted(texts) == [f"{COMMENT} {n}" for n in range(3)]
    opened = sqlite_central.keys.contacts.open(bytes(sealed[0][1]), "contacts", sealed[0][0])
    assert PHONE in opened.decode() and EMAIL in opened.decode()

    lines = log_lines(kiosk_logging)
    assert len(lines) >= 5 and all(json.loads(line) for line in lines)  # logging was on
    assert any("central" in line.lower() or "sync" in line.lower() for line in lines)
    text = "\n".join(lines)
    forbidden = [
        COMMENT,
        COMMENT[:10],
        "marmalade",
        NAME,
        "Featherstonehaugh",
        PHONE,
        PHONE.replace(" ", ""),
        EMAIL,
        NEEDS_OTHER,
        POSTCODE,
        cfg.central.token,
        code,
        code.replace("-", ""),
    ]
    leaked = [value for value in forbidden if value and value in text]
    assert leaked == [], leaked
