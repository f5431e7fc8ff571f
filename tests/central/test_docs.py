"""docs/protocol.md and the code agree: commands, routes and error codes (docs are tested)."""
from __future__ import annotations

import re
from pathlib import Path

from central.cli import build_parser
from central.openapi import openapi_schema

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "protocol.md").read_text()
SOURCES = "\n".join(p.read_text() for d in ("central", "sync") for p in (ROOT / d).glob("*.py"))


def test_every_kiosk_central_command_in_the_doc_exists_and_vice_versa() -> None:
    named = set(re.findall(r"kiosk-central (\w+)", DOC))
    actions = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert named <= set(actions), named - set(actions)
    assert {"serve", "keygen", "enrol", "devices", "revoke", "content", "reingest"} <= set(actions)


def test_every_route_is_documented_and_in_the_openapi_schema() -> None:
    paths = set(openapi_schema()["paths"])
    for route in ("/api/v1/enrol", "/api/v1/batches", "/api/v1/content", "/api/v1/heartbeat"):
        assert route in paths and route in DOC


def test_every_documented_error_code_is_raised_somewhere() -> None:
    table = DOC.split("## Errors", 1)[1].split("\n## ", 1)[0]
    codes = set(re.findall(r"`([a-z_]+)`", table))
    assert len(codes) > 15
    missing = {c for c in codes if f'"{c}"' not in SOURCES}
    assert not missing, f"documented but never raised: {missing}"


def test_every_rejection_reason_is_documented() -> None:
    from central.ingest import REASONS

    for reason in REASONS:
        assert f"`{reason}`" in DOC


def test_both_docs_give_the_enrolment_codes_real_default_lifetime() -> None:
    from central.service import DEFAULT_CODE_TTL

    minutes = DEFAULT_CODE_TTL / 60
    ttl = next(a for a in build_parser()._subparsers._group_actions[0].choices["enrol"]._actions
               if a.dest == "ttl")  # type: ignore[union-attr]  # fmt: skip
    assert ttl.default == minutes  # what `kiosk-central enrol` uses without --ttl
    for name in ("protocol.md", "deploy.md"):
        text = (ROOT / "docs" / name).read_text()
        claims = {float(m) for m in re.findall(r"(\d+) minutes by default", text)}
        assert claims == {minutes}, f"docs/{name} says {claims or 'nothing'}, the code {minutes:g}"
