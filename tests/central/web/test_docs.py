"""docs/staff-web.md and the code agree: settings, pages, audit actions, roles."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from central.web.auth import ROLES
from central.web.settings import WebSettings

ROOT = Path(__file__).resolve().parents[3]
DOC = (ROOT / "docs" / "staff-web.md").read_text()
SOURCES = "\n".join(p.read_text() for p in (ROOT / "central" / "web").glob("*.py"))


def test_every_setting_is_documented_and_every_documented_one_exists():
    table = DOC.split("## Settings", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([a-z_0-9]+)` \|", table, re.M))
    fields = {f.name for f in dataclasses.fields(WebSettings)} - {"returns", "clock"}
    assert documented == fields | {"report_settings"}


def test_every_page_in_the_doc_is_routed():
    init = (ROOT / "central" / "web" / "__init__.py").read_text()
    for path in re.findall(r"^\| `/(staff|public)(/[^`]*)` \|", DOC, re.M):
        prefix, rest = path
        route = "/{location}" if prefix == "public" else rest
        assert f'Route("{route}"' in init, rest


def test_audit_actions_and_roles_match():
    actions = set(re.findall(r"`([a-z_]+)`", DOC.split("## Audit log", 1)[1]))
    actions -= {"web_audit", "at", "username", "action", "subject"}
    for action in actions:
        # withdrawing logs f"yswh_{status}" with status "withdrawn"
        via_status = action == "yswh_withdrawn" and 'f"yswh_{status}"' in SOURCES
        assert f'"{action}"' in SOURCES or via_status, action
    assert set(re.findall(r"^\| `([a-z_]+)` \| ", DOC.split("## Roles", 1)[1].split("##")[0],
                          re.M)) == set(ROLES)  # fmt: skip
