"""Sign-in rate limits on top of the lock-out: per account name (known or not) and per source
address, 429 with Retry-After before the password is checked; only wrong tries count."""

from __future__ import annotations

import logging

from central.ratelimit import RateLimits
from tests.central.test_rate_limits import FromAddress
from tests.central.web.staff import StaffClient, signed_in

LIMITS = RateLimits()


def from_address(central, host: str) -> StaffClient:
    client = StaffClient(central)
    client.http.mount("http://", FromAddress(host))
    return client


def test_guessing_one_name_meets_a_429_and_others_still_sign_in(sqlite_web, clock, caplog):
    caplog.set_level(logging.WARNING, logger="central.audit")
    attacker = from_address(sqlite_web, "127.0.0.1")
    tries = [attacker.sign_in("nobody", f"guess number {i}").status_code
             for i in range(LIMITS.sign_in_per_account.count + 3)]  # fmt: skip
    assert tries == [401] * LIMITS.sign_in_per_account.count + [429] * 3
    refused = attacker.sign_in("nobody", "one more guess")
    assert 1 <= int(refused.headers["Retry-After"]) <= LIMITS.sign_in_per_account.seconds
    assert "too many sign-in attempts" in refused.text and "minutes" in refused.text
    lines = [r.getMessage() for r in caplog.records if r.name == "central.audit"]
    assert lines and all("sign_in_per_account" in m and "key=nobody" in m for m in lines)
    assert not any("guess" in m for m in caplog.messages)
    assert signed_in(sqlite_web, "pat")  # another account from the same address
    clock.advance(LIMITS.sign_in_per_account.seconds)
    assert attacker.sign_in("nobody", "after the window").status_code == 401


def test_spraying_many_names_from_one_address_meets_a_429(sqlite_web, clock):
    attacker = from_address(sqlite_web, "127.0.0.3")
    codes = [attacker.sign_in(f"user{i}", "a wrong password").status_code
             for i in range(LIMITS.sign_in_per_address.count + 1)]  # fmt: skip
    assert codes == [401] * LIMITS.sign_in_per_address.count + [429]
    # the account names the attacker tried are not harmed for their owners elsewhere
    assert from_address(sqlite_web, "127.0.0.4").sign_in("pat").status_code == 303
    assert attacker.sign_in("pat").status_code == 429
    clock.advance(LIMITS.sign_in_per_address.seconds)
    assert attacker.sign_in("pat").status_code == 303


def test_right_passwords_do_not_use_the_budget(sqlite_web):
    for _ in range(LIMITS.sign_in_per_account.count + 5):
        assert StaffClient(sqlite_web).sign_in("wendy").status_code == 303
