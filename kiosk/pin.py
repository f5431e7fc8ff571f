"""The staff PIN: a guard that locks out guessing, and `kiosk set-pin`.

The hash format and the rules for a PIN live in kiosk/pinhash.py (re-exported here), so that
kiosk.config can check ``[staff] pin_hash`` without importing this module.

``PinGuard`` allows ``max_tries`` (5) wrong PINs, then refuses every attempt for
``lockout_seconds`` (300) without even checking it. Given a ``state_path`` (the kiosk uses
``lockout_path(config file)``, beside the config) the count and the lock-out end survive a
restart: turning the kiosk off and on does not give a guesser five more tries. Each attempt is
counted on disk *before* the slow check and cleared after a right PIN, so killing the power
mid-check never earns a free try. The file is replaced atomically (kiosk/fsutil.py): a killed
process leaves the old state or the new, and a file damaged some other way locks the PIN screen
for one lock-out period rather than unlocking it. Lock-out ends are wall-clock times (they must
mean the same after a reboot); a clock set back can never stretch a lock-out past
``lockout_seconds`` from now.

Set a PIN: ``kiosk set-pin [--config FILE] [--stdin] [--print]`` (also ``python -m kiosk.pin``).
It also clears the lock-out: whoever can run it already has the machine.
"""
from __future__ import annotations

import argparse
import getpass
import json
import logging
import sys
import threading
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.config import config_path, update_config
from kiosk.errors import ConfigError
from kiosk.fsutil import write_atomic
from kiosk.pinhash import (  # noqa: F401  (re-exported: callers import them from here)
    PIN_MAX,
    PIN_MIN,
    N,
    P,
    PinHash,
    R,
    check_new_pin,
    check_pin_format,
    hash_pin,
    parse_pin_hash,
    verify_pin,
)

log = logging.getLogger(__name__)

LOCKOUT_SUFFIX = ".pin-lockout.json"
_SET_PIN_HINT = "IT sets one with `kiosk set-pin`"


def lockout_path(config_file: str | Path) -> Path:
    """Where the lock-out state of the kiosk using ``config_file`` lives: beside it."""
    path = Path(config_file)
    return path.with_name(path.stem + LOCKOUT_SUFFIX)


class PinGuard:
    """Counts wrong PINs; after ``max_tries`` refuses everything for ``lockout_seconds``."""

    def __init__(self, *, clock: Callable[[], float] = time.time, max_tries: int = 5,
                 lockout_seconds: float = 300.0, state_path: str | Path | None = None) -> None:
        if max_tries < 1 or lockout_seconds <= 0:
            raise ValueError("max_tries must be at least 1 and lockout_seconds positive")
        self._clock, self.max_tries, self.lockout_seconds = clock, max_tries, lockout_seconds
        self.state_path = None if state_path is None else Path(state_path)
        self._wrong = 0
        self._locked_until: float | None = None
        # Serialise attempts: parallel guesses must not slip past the count.
        self._lock = threading.Lock()
        with self._lock:
            self._load()

    # --- the state file -------------------------------------------------------------------------

    def _load(self) -> None:
        """Read the state file (it is the truth: `kiosk set-pin` may have cleared it)."""
        if self.state_path is None:
            return
        try:
            raw = json.loads(self.state_path.read_text(encoding="utf-8"))
            wrong, until = raw["wrong"], raw["locked_until"]
            if isinstance(wrong, bool) or not isinstance(wrong, int) or wrong < 0 or not (
                    until is None or isinstance(until, (int, float))):
                raise ValueError("wrong or locked_until has the wrong type")
        except FileNotFoundError:
            self._wrong, self._locked_until = 0, None
        except (ValueError, KeyError, TypeError) as exc:  # JSONDecodeError is a ValueError
            # Damaged by something other than us (we replace it atomically): fail closed.
            log.warning("PIN lock-out file %s is damaged (%s): PIN screen locked for %d s",
                        self.state_path, type(exc).__name__, self.lockout_seconds)
            self._wrong, self._locked_until = self.max_tries, self._clock() + self.lockout_seconds
            self._save()
        except OSError as exc:
            raise ConfigError(f"cannot read the PIN lock-out file {self.state_path}: "
                              f"{exc.strerror}; give the kiosk user read and write access to "
                              "it (or delete it to clear the lock-out)") from exc
        else:
            self._wrong, self._locked_until = wrong, None if until is None else float(until)

    def _save(self) -> None:
        if self.state_path is None:
            return
        data = {"schema": 1, "wrong": self._wrong, "locked_until": self._locked_until}
        try:
            write_atomic(self.state_path, (json.dumps(data) + "\n").encode("ascii"))
        except OSError as exc:
            # The count still holds for as long as this process runs; only a restart resets it.
            log.error("cannot write the PIN lock-out file %s: %s; the count is kept in memory "
                      "only", self.state_path, exc.strerror)

    # --- the guard ------------------------------------------------------------------------------

    def _expire(self) -> None:
        if self._locked_until is None:
            return
        now = self._clock()
        if now >= self._locked_until:
            self._locked_until, self._wrong = None, 0
            self._save()
        elif self._locked_until - now > self.lockout_seconds:  # the clock was set back
            self._locked_until = now + self.lockout_seconds

    def attempt(self, pin: str, pin_hash: str | None) -> bool:
        """True only for the right PIN while not locked. A locked guard does not even check."""
        if pin_hash is None:
            raise ConfigError(f"no staff PIN is set: {_SET_PIN_HINT}")
        parse_pin_hash(pin_hash)  # a broken hash is IT's problem, not a wrong try
        with self._lock:
            self._load()
            self._expire()
            if self._locked_until is not None:
                return False
            # Counted as wrong before the slow check, so a power cut mid-check costs a try.
            self._wrong += 1
            if self._wrong >= self.max_tries:
                self._locked_until = self._clock() + self.lockout_seconds
            self._save()
            if verify_pin(pin, pin_hash):
                self._wrong, self._locked_until = 0, None
                self._save()
                return True
            return False

    def reset(self) -> None:
        """Forget wrong tries and any lock-out (after IT sets a new PIN)."""
        with self._lock:
            self._wrong, self._locked_until = 0, None
            self._save()

    @property
    def remaining_tries(self) -> int:
        self._expire()
        return 0 if self._locked_until is not None else self.max_tries - self._wrong

    @property
    def locked_until(self) -> float | None:
        """When the lock-out ends, in the injected clock's units; None when not locked."""
        self._expire()
        return self._locked_until

    def seconds_locked(self) -> float:
        """Seconds until PINs are accepted again (0 when not locked), for the staff screen."""
        until = self.locked_until
        return 0.0 if until is None else max(0.0, until - self._clock())


# --- `kiosk set-pin` ----------------------------------------------------------------------------

def add_set_pin_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--stdin", action="store_true",
                   help="read the PIN from one line of standard input (for scripts), not a prompt")
    p.add_argument("--print", action="store_true", dest="print_only",
                   help="print the [staff] pin_hash line instead of writing the config")


def _pin_from_stdin() -> str:
    if sys.stdin is None or sys.stdin.isatty():
        raise ConfigError("--stdin reads a PIN piped in (e.g. `kiosk set-pin --stdin < FILE`); "
                          "to type it, leave out --stdin and it is asked for without echo")
    line = sys.stdin.readline()
    if not line.strip():
        raise ConfigError("no PIN on standard input: pipe one line of 4 to 12 digits")
    return line.rstrip("\r\n")


def _pin_from_prompt() -> str | None:
    """Ask twice without echo; None if the two differ."""
    with warnings.catch_warnings():
        # getpass falls back to an echoing read when there is no terminal: refuse that instead.
        warnings.simplefilter("error", getpass.GetPassWarning)
        try:
            pin = getpass.getpass("New staff PIN: ")
            check_new_pin(pin)  # say so now, not after the second entry
            again = getpass.getpass("Same PIN again: ")
        except getpass.GetPassWarning:
            raise ConfigError("there is no terminal to ask for the PIN without showing it; "
                              "pipe it in with --stdin") from None
        except EOFError:
            raise ConfigError("no PIN was typed; nothing was changed") from None
    return pin if again == pin else None


def set_pin_main(args: Any) -> int:
    """Read, check and hash a new PIN; write ``[staff] pin_hash``; clear the lock-out."""
    pin = _pin_from_stdin() if args.stdin else _pin_from_prompt()
    if pin is None:
        print("kiosk set-pin: the two PINs differ; nothing was changed", file=sys.stderr)
        return 2
    check_new_pin(pin)
    line = hash_pin(pin)
    if args.print_only:
        print(f'pin_hash = "{line}"')
        return 0
    path = config_path(getattr(args, "config", None))
    cfg = update_config({"staff": {"pin_hash": line}}, path)
    PinGuard(state_path=lockout_path(cfg.path)).reset()
    print(f"staff PIN set in {cfg.path}; any wrong-PIN lock-out is cleared")
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m kiosk.pin``: the same as ``kiosk set-pin`` (kept for source checkouts)."""
    parser = argparse.ArgumentParser(prog="python -m kiosk.pin",
                                     description="set the staff PIN ([staff] pin_hash)")
    parser.add_argument("--config", help="config file (default: $KIOSK_CONFIG, else "
                                         "~/.config/patient-voice/kiosk.toml)")
    add_set_pin_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return set_pin_main(args)
    except ConfigError as exc:
        print(f"kiosk set-pin: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
