"""kiosk.pin: scrypt hash format, verification, lock-out after wrong tries (kept across a
restart), and `kiosk set-pin` run as IT runs it (piped, or typed in a real pseudo-terminal)."""
from __future__ import annotations

import json
import os
import pty
import select
import stat
import subprocess
import sys
import textwrap
import threading

import pytest

from kiosk.config import load_config
from kiosk.errors import ConfigError
from kiosk.pin import PinGuard, hash_pin, lockout_path, main, parse_pin_hash, verify_pin
from tests.conftest import ROOT
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


# --- the lock-out survives a restart (issue 17) -------------------------------------------------

def test_the_lockout_survives_a_restart(pin_hash: str, tmp_path) -> None:
    clock, state = FakeClock(1000.0), tmp_path / "kiosk.pin-lockout.json"
    first = PinGuard(clock=clock, state_path=state)
    for _ in range(3):
        first.attempt("0000", pin_hash)
    assert PinGuard(clock=clock, state_path=state).remaining_tries == 2  # the kiosk restarted
    second = PinGuard(clock=clock, state_path=state)
    second.attempt("0000", pin_hash)
    second.attempt("0000", pin_hash)
    clock.advance(100)
    third = PinGuard(clock=clock, state_path=state)  # off and on again
    assert not third.attempt("2468", pin_hash)  # still locked, even for the right PIN
    assert third.seconds_locked() == pytest.approx(200.0)
    clock.advance(200)
    assert PinGuard(clock=clock, state_path=state).attempt("2468", pin_hash)
    assert json.loads(state.read_text()) == {"schema": 1, "wrong": 0, "locked_until": None}
    assert stat.S_IMODE(state.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == [state.name]  # no temp file left behind


def test_a_damaged_state_file_locks_for_one_period_then_recovers(pin_hash, tmp_path) -> None:
    clock, state = FakeClock(5000.0), tmp_path / "kiosk.pin-lockout.json"
    state.write_text('{"wrong": 0, "locked_un')  # torn by something other than the kiosk
    guard = PinGuard(clock=clock, state_path=state)
    assert not guard.attempt("2468", pin_hash) and guard.seconds_locked() == 300.0
    assert json.loads(state.read_text())["locked_until"] == 5300.0  # replaced, not left torn
    clock.advance(300)
    assert guard.attempt("2468", pin_hash)


def test_a_clock_set_back_never_stretches_the_lockout(pin_hash: str, tmp_path) -> None:
    clock, state = FakeClock(10_000.0), tmp_path / "kiosk.pin-lockout.json"
    guard = PinGuard(clock=clock, max_tries=1, state_path=state)
    guard.attempt("0000", pin_hash)
    clock.now = 0.0  # a dead RTC battery: the kiosk boots in 1970
    assert PinGuard(clock=clock, max_tries=1, state_path=state).seconds_locked() == 300.0


def test_an_unreadable_state_file_is_a_config_error_naming_it(pin_hash, tmp_path) -> None:
    state = tmp_path / "kiosk.pin-lockout.json"
    state.mkdir()  # reading it fails with an OSError other than "not there"
    with pytest.raises(ConfigError, match="cannot read the PIN lock-out file .*kiosk.pin-lockout"):
        PinGuard(state_path=state)


def test_a_try_is_counted_before_the_check_so_a_power_cut_gives_no_free_try(tmp_path) -> None:
    """A process killed while scrypt runs (here: right after the count reached the disk) still
    has the try counted, even though the PIN it was checking was the right one."""
    state, hashed = tmp_path / "kiosk.pin-lockout.json", tmp_path / "hash"
    hashed.write_text(hash_pin("2580"))  # the real cost: the check takes tens of milliseconds
    script = textwrap.dedent("""
        import json, os, sys, threading, time
        from kiosk.pin import PinGuard
        state, pin_hash = sys.argv[1], open(sys.argv[2]).read()
        def power_cut():
            while True:
                try:
                    if json.load(open(state))["wrong"] == 1:
                        os._exit(9)
                except (OSError, ValueError):
                    pass
                time.sleep(0.0002)
        threading.Thread(target=power_cut, daemon=True).start()
        PinGuard(state_path=state).attempt("2580", pin_hash)
        os._exit(0)
    """)
    proc = subprocess.run([sys.executable, "-c", script, str(state), str(hashed)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 9, proc.stderr
    assert PinGuard(state_path=state).remaining_tries == 4


# --- `kiosk set-pin` ----------------------------------------------------------------------------

def set_pin(*argv: str, home, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "HOME": str(home)}
    env.pop("KIOSK_CONFIG", None)
    return subprocess.run([sys.executable, "-m", "kiosk.cli", *argv], cwd=ROOT, env=env,
                          input=stdin, capture_output=True, text=True, timeout=120)


def test_set_pin_from_stdin_writes_the_hash_and_clears_a_lockout(pin_hash, tmp_path) -> None:
    config = tmp_path / "kiosk.toml"
    guard = PinGuard(max_tries=1, state_path=lockout_path(config))
    guard.attempt("0000", pin_hash)
    assert guard.seconds_locked() > 0
    proc = set_pin("set-pin", "--stdin", "--config", str(config), home=tmp_path,
                   stdin="80415\n")
    assert proc.returncode == 0, proc.stderr
    assert verify_pin("80415", load_config(config).staff.pin_hash)
    assert PinGuard(state_path=lockout_path(config)).remaining_tries == 5
    everything = proc.stdout + proc.stderr + "".join(
        p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file())
    assert "80415" not in everything  # not printed, not logged, not stored


@pytest.mark.parametrize("pin, says", [
    ("123", "must be 4 to 12 digits"),
    ("12a45", "must be 4 to 12 digits"),
    ("7777", "too easy to guess (one digit repeated)"),
    ("123456", "too easy to guess (digits counting up or down"),
    ("9876", "too easy to guess (digits counting up or down"),
])
def test_set_pin_refuses_a_weak_or_short_pin(pin: str, says: str, tmp_path) -> None:
    config = tmp_path / "kiosk.toml"
    proc = set_pin("--config", str(config), "set-pin", "--stdin", home=tmp_path, stdin=pin)
    assert proc.returncode == 2 and says in proc.stderr
    assert not config.exists() and pin not in proc.stderr + proc.stdout


def test_set_pin_with_nothing_piped_in_says_what_to_pipe(tmp_path) -> None:
    proc = set_pin("set-pin", "--stdin", "--config", str(tmp_path / "k.toml"), home=tmp_path,
                   stdin="")
    assert proc.returncode == 2 and "no PIN on standard input" in proc.stderr


def test_set_pin_without_a_terminal_refuses_to_read_an_echoed_pin(tmp_path) -> None:
    proc = set_pin("set-pin", "--config", str(tmp_path / "k.toml"), home=tmp_path,
                   stdin="80415\n80415\n")
    assert proc.returncode == 2 and "pipe it in with --stdin" in proc.stderr
    assert not (tmp_path / "k.toml").exists()


def in_terminal(argv: list[str], answers: list[str], home) -> tuple[int, bytes]:
    """Run the real CLI with a pseudo-terminal as its controlling terminal and type answers."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: becomes `kiosk ...`
        os.chdir(ROOT)
        os.execve(sys.executable, [sys.executable, "-m", "kiosk.cli", *argv],
                  {**os.environ, "HOME": str(home)})
    out, typed = b"", 0
    while True:
        if not select.select([fd], [], [], 60)[0]:
            os.kill(pid, 9)
            break
        try:
            chunk = os.read(fd, 1024)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
        if typed < len(answers) and out.count(b": ") > typed and out.endswith(b": "):
            os.write(fd, answers[typed].encode() + b"\n")
            typed += 1
    os.close(fd)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), out


def test_set_pin_asks_twice_without_echo(tmp_path) -> None:
    config = tmp_path / "kiosk.toml"
    code, screen = in_terminal(["set-pin", "--config", str(config)], ["80415", "80415"], tmp_path)
    assert code == 0, screen
    assert b"New staff PIN: " in screen and b"Same PIN again: " in screen
    assert b"80415" not in screen  # nothing echoed
    assert verify_pin("80415", load_config(config).staff.pin_hash)


def test_set_pin_in_a_terminal_refuses_two_different_pins(tmp_path) -> None:
    config = tmp_path / "kiosk.toml"
    code, screen = in_terminal(["--config", str(config), "set-pin"], ["80415", "80416"],
                               tmp_path)
    assert code == 2 and b"the two PINs differ; nothing was changed" in screen
    assert not config.exists()
