"""kiosk.pin: scrypt hash format, verification, lock-out after wrong tries."""
from __future__ import annotations

import threading

import pytest

from kiosk.config import load_config
from kiosk.errors import ConfigError
from kiosk.pin import PinGuard, hash_pin, main, parse_pin_hash, verify_pin
from tests.kiosk.store_fixtures import FakeClock

# Cheaper costs keep the guard tests fast; the real cost is checked once below.
FAST = {"n": 2**14, "r": 1, "p": 1}


@pytest.fixture(scope="module")
def pin_hash() -> str:
    return hash_pin("2468", **FAST)


def test_hash_format_and_verification() -> None:
    text = hash_pin("135790")
    parts = text.split("$")
    assert parts[:4] == ["scrypt", str(2**15), "8", "1"]
    assert verify_pin("135790", text)
    assert not verify_pin("135791", text)
    assert not verify_pin("", text) and not verify_pin("١٣٥٧٩٠", text)  # Arabic-Indic digits


def test_same_pin_gets_a_new_salt_each_time() -> None:
    a, b = hash_pin("2468", **FAST), hash_pin("2468", **FAST)
    assert a != b and parse_pin_hash(a).salt != parse_pin_hash(b).salt


@pytest.mark.parametrize("pin", ["123", "1234567890123", "12a4", " 1234", "١٢٣٤", 1234])
def test_a_bad_new_pin_is_refused(pin) -> None:
    with pytest.raises(ConfigError, match="4 to 12 digits"):
        hash_pin(pin)


@pytest.mark.parametrize("text, why", [
    ("1234", "not a scrypt"),
    ("scrypt$x$8$1$AAAA$AAAA", "non-numeric"),
    ("scrypt$1000$8$1$AAAAAAAAAAA=$AAAAAAAAAAAAAAAAAAAAAA==", "unsafe or unsupported"),
    ("scrypt$16384$8$1$AA==$AAAAAAAAAAAAAAAAAAAAAA==", "too short"),
])
def test_a_malformed_hash_is_a_config_error(text: str, why: str) -> None:
    with pytest.raises(ConfigError, match=why):
        verify_pin("1234", text)


def test_guard_locks_after_five_wrong_tries_for_five_minutes(pin_hash: str) -> None:
    clock = FakeClock(1000.0)
    guard = PinGuard(clock=clock)
    for left in (4, 3, 2, 1):
        assert not guard.attempt("0000", pin_hash)
        assert guard.remaining_tries == left and guard.locked_until is None
    assert not guard.attempt("0000", pin_hash)
    assert guard.remaining_tries == 0 and guard.locked_until == 1300.0
    clock.advance(299)
    assert not guard.attempt("2468", pin_hash)  # even the right PIN is refused while locked
    assert guard.seconds_locked() == pytest.approx(1.0)
    clock.advance(1)
    assert guard.locked_until is None and guard.remaining_tries == 5
    assert guard.attempt("2468", pin_hash)


def test_right_pin_resets_the_count(pin_hash: str) -> None:
    guard = PinGuard(clock=FakeClock())
    for _ in range(4):
        guard.attempt("1111", pin_hash)
    assert guard.attempt("2468", pin_hash) and guard.remaining_tries == 5


def test_tries_and_lockout_are_configurable(pin_hash: str) -> None:
    clock = FakeClock(0.0)
    guard = PinGuard(clock=clock, max_tries=2, lockout_seconds=60)
    guard.attempt("1", pin_hash)
    guard.attempt("2", pin_hash)
    assert guard.locked_until == 60.0
    with pytest.raises(ValueError):
        PinGuard(max_tries=0)


def test_parallel_guesses_do_not_slip_past_the_count(pin_hash: str) -> None:
    guard = PinGuard(clock=FakeClock(), max_tries=3)
    results: list[bool] = []
    threads = [threading.Thread(target=lambda: results.append(guard.attempt("9999", pin_hash)))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [False] * 8 and guard.remaining_tries == 0


def test_no_pin_set_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="no staff PIN is set"):
        PinGuard().attempt("1234", None)


def test_set_pin_command_writes_the_config(tmp_path, monkeypatch, capsys) -> None:
    path = tmp_path / "kiosk.toml"
    answers = iter(["97531", "97531"])
    monkeypatch.setattr("kiosk.pin.getpass.getpass", lambda prompt: next(answers))
    assert main(["--config", str(path)]) == 0
    assert verify_pin("97531", load_config(path).staff.pin_hash)
    assert "97531" not in path.read_text() and "97531" not in capsys.readouterr().out


def test_set_pin_command_refuses_two_different_pins(tmp_path, monkeypatch) -> None:
    answers = iter(["97531", "97532"])
    monkeypatch.setattr("kiosk.pin.getpass.getpass", lambda prompt: next(answers))
    assert main(["--config", str(tmp_path / "k.toml")]) == 2
    assert not (tmp_path / "k.toml").exists()
