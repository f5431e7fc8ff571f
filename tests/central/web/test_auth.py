"""Sign-in, sessions, CSRF and lock-out, over real HTTP against the served app."""

from __future__ import annotations

import io

from central.web.cli import read_password
from tests.central.web.staff import PASSWORD, StaffClient, signed_in, text_of


def test_sign_in_sets_a_strict_httponly_cookie_and_stores_only_hashes(web_central):
    client = StaffClient(web_central)
    resp = client.sign_in("pat")
    assert resp.status_code == 303 and resp.headers["location"] == "/staff/"
    cookie = resp.headers["set-cookie"]
    assert "pv_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    token = client.http.cookies.get("pv_session")
    with web_central.db.read() as tx:
        stored = tx.one("SELECT password_hash FROM web_users WHERE username = 'pat'")[0]
        sessions = [r[0] for r in tx.all("SELECT token_hash FROM web_sessions")]
    assert stored.startswith("scrypt$") and PASSWORD not in stored
    assert token and token not in sessions and len(sessions) == 1
    page = client.get("/staff/")
    assert page.status_code == 200 and "Signed in as pat" in text_of(page.text)
    assert "default-src 'none'" in page.headers["content-security-policy"]


def test_wrong_password_and_unknown_user_get_the_same_answer(sqlite_web):
    wrong = StaffClient(sqlite_web).sign_in("pat", "not the password")
    unknown = StaffClient(sqlite_web).sign_in("nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert text_of(wrong.text).replace("nobody", "pat") == text_of(unknown.text).replace(
        "nobody", "pat")
    assert "password is not right" in wrong.text


def test_lock_out_after_five_failures_even_for_the_right_password(sqlite_web, clock):
    client = StaffClient(sqlite_web)
    for _ in range(5):
        assert client.sign_in("wendy", "guess guess guess").status_code == 401
    assert client.sign_in("wendy").status_code == 401  # locked: the right one is refused
    clock.advance(15 * 60 + 1)
    assert client.sign_in("wendy").status_code == 303
    with sqlite_web.db.read() as tx:
        actions = [r[0] for r in tx.all("SELECT action FROM web_audit WHERE username = 'wendy'")]
    assert actions.count("sign_in_failed") == 5 and actions[-1] == "signed_in"


def test_session_ends_after_30_idle_minutes(sqlite_web, clock):
    client = signed_in(sqlite_web, "pat")
    clock.advance(29 * 60)
    assert client.get("/staff/").status_code == 200  # activity keeps it alive
    clock.advance(29 * 60)
    assert client.get("/staff/").status_code == 200
    clock.advance(30 * 60 + 1)
    resp = client.get("/staff/")
    assert resp.status_code == 303 and resp.headers["location"] == "/staff/sign-in?expired=1"
    page = client.get("/staff/sign-in?expired=1")
    assert "session ended" in text_of(page.text)


def test_session_ends_12_hours_after_sign_in_however_busy(sqlite_web, clock):
    client = signed_in(sqlite_web, "pat")
    for _ in range(12 * 3 - 1):  # every 20 minutes, up to 11 h 40 min: still signed in
        clock.advance(20 * 60)
        assert client.get("/staff/").status_code == 200
    clock.advance(20 * 60 + 1)  # 12 h and a second after signing in, 20 min idle
    assert client.get("/staff/").status_code == 303


def test_a_form_without_the_csrf_token_is_refused_and_changes_nothing(web_central):
    client = signed_in(web_central, "pat")
    before = web_central.web.yswh.items()
    form = {"title_en": "Parking", "said_en": "a", "did_en": "b", "when_en": "c",
            "locations": "*"}
    resp = client.post("/staff/yswh/new", form, csrf=False)
    assert resp.status_code == 403 and "Form expired" in resp.text
    wrong = client.post("/staff/yswh/new", [*form.items(), ("csrf", "forged")], csrf=False)
    assert wrong.status_code == 403
    assert web_central.web.yswh.items() == before


def test_sign_in_form_needs_its_own_token(sqlite_web):
    resp = StaffClient(sqlite_web).http.post(
        sqlite_web.url + "/staff/sign-in", data={"username": "pat", "password": PASSWORD},
        allow_redirects=False, timeout=10)  # fmt: skip
    assert resp.status_code == 403 and "pv_session" not in resp.headers.get("set-cookie", "")


def test_sign_out_ends_the_session(sqlite_web):
    client = signed_in(sqlite_web, "pat")
    assert client.post("/staff/sign-out", {}).status_code == 303
    assert client.get("/staff/").status_code == 303
    with sqlite_web.db.read() as tx:
        assert tx.one("SELECT COUNT(*) FROM web_sessions")[0] == 0


def test_add_account_refuses_bad_input_with_every_reason(sqlite_web):
    import pytest

    from central.web.auth import StaffError

    with pytest.raises(StaffError) as exc:
        sqlite_web.web.accounts.add("X y", "boss", "short", ())
    text = str(exc.value)
    assert "username" in text and "role must be one of" in text and "12 characters" in text
    with pytest.raises(StaffError, match="needs at least one --location"):
        sqlite_web.web.accounts.add("manny", "ward_manager", PASSWORD, ())
    with pytest.raises(StaffError, match="already a staff account"):
        sqlite_web.web.accounts.add("pat", "it", PASSWORD, ())
    assert "manny" not in [u[0] for u in sqlite_web.web.accounts.list()]


def test_cli_adds_an_account_from_stdin(tmp_path, monkeypatch, capsys):
    import argparse

    from central.web import cli

    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", default=str(tmp_path))
    parser.add_argument("--database-url")
    cli.add_commands(parser.add_subparsers(dest="command"))
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    args = parser.parse_args(["staff", "add", "--username", "Nia", "--role", "ward_manager",
                              "--location", "ward-3"])  # fmt: skip
    assert args.run(args) == 0
    listing = parser.parse_args(["staff", "list"])
    assert listing.run(listing) == 0
    out = capsys.readouterr().out
    assert "Added Nia as Ward manager for ward-3" in out and "nia\tWard manager (ward-3)" in out
    change = parser.parse_args(["staff", "change", "--username", "nia", "--disable"])
    assert change.run(change) == 0
    listing.run(listing)
    assert "nia\tWard manager (ward-3)  DISABLED" in capsys.readouterr().out
    assert read_password(io.StringIO("secret line\n")) == "secret line"


def test_secure_cookies_use_the_host_prefix(sqlite_web):
    import dataclasses
    import html

    import requests

    from tests.central.web.staff import CSRF

    sqlite_web.web.settings = dataclasses.replace(sqlite_web.web.settings, secure_cookies=True)
    form = requests.get(sqlite_web.url + "/staff/sign-in", timeout=10)
    assert "Secure" in form.headers["set-cookie"]
    token = html.unescape(CSRF.search(form.text).group(1))
    # As a browser on HTTPS would: send the (Secure) login cookie back with the form.
    resp = requests.post(sqlite_web.url + "/staff/sign-in", timeout=10, allow_redirects=False,
                         data={"username": "pat", "password": PASSWORD, "csrf": token},
                         headers={"Cookie": f"pv_login={token}"})  # fmt: skip
    assert resp.status_code == 303
    session = [c for c in resp.raw.headers.getlist("set-cookie") if "pv_session" in c]
    assert len(session) == 1 and session[0].startswith("__Host-pv_session=")
    assert "Secure" in session[0] and "Path=/" in session[0] and "Domain" not in session[0]


def test_it_unlocks_resets_and_disables_accounts(sqlite_web, clock):
    import pytest

    from central.web.auth import StaffError

    accounts = sqlite_web.web.accounts
    client = StaffClient(sqlite_web)
    for _ in range(5):
        client.sign_in("wendy", "guess guess guess")
    assert ("wendy", "ward_manager", ("ward-3",), "locked") in accounts.list()
    accounts.change("wendy", unlock=True)
    assert client.sign_in("wendy").status_code == 303
    assert client.get("/staff/").status_code == 200
    accounts.change("wendy", disable=True)  # ends her sessions at once
    assert client.get("/staff/").status_code == 303
    assert StaffClient(sqlite_web).sign_in("wendy").status_code == 401
    accounts.change("wendy", disable=False, password="a brand new passphrase")
    assert StaffClient(sqlite_web).sign_in("wendy").status_code == 401  # old password gone
    assert StaffClient(sqlite_web).sign_in("wendy", "a brand new passphrase").status_code == 303
    with pytest.raises(StaffError, match="no staff account called 'nobody'"):
        accounts.change("nobody", unlock=True)
    with pytest.raises(StaffError, match="at least 12 characters"):
        accounts.change("wendy", password="short")
    with sqlite_web.db.read() as tx:
        changes = [r[0] for r in tx.all("SELECT subject FROM web_audit WHERE action ="
                                        " 'account_changed' ORDER BY id")]  # fmt: skip
    assert changes == ["wendy: unlocked", "wendy: disabled", "wendy: password, enabled"]
