"""The staff PIN: a slow scrypt hash in the config, and a guard that locks out guessing.

Format of ``[staff] pin_hash``: ``scrypt$<n>$<r>$<p>$<salt base64>$<hash base64>``. n=2**15, r=8
costs ~70 ms and 32 MiB here: cheap for one staff login, expensive for someone who copied the
config and tries all 10**4..10**8 PINs. Verification takes that long too, so a screen calls it off
the UI thread.

``PinGuard`` allows ``max_tries`` (5) wrong PINs, then refuses every attempt for
``lockout_seconds`` (300) without even checking it. The count lives in memory: restarting the kiosk
needs physical access to the machine, which is a bigger door than the PIN screen.

Set a PIN: ``python -m kiosk.pin [--config FILE]`` (asks twice, writes ``[staff] pin_hash``).
"""
from __future__ import annotations

import argparse
import base64
import getpass
import hashlib
import hmac
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.errors import ConfigError

N, R, P = 2**15, 8, 1
_SALT_BYTES, _HASH_BYTES = 16, 32
_MAXMEM = 128 * 1024 * 1024  # scrypt needs 128*n*r bytes (32 MiB at these settings)
PIN_MIN, PIN_MAX = 4, 12


@dataclass(frozen=True)
class PinHash:
    n: int
    r: int
    p: int
    salt: bytes
    digest: bytes


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def check_pin_format(pin: str) -> None:
    if not isinstance(pin, str) or not pin.isdigit() or not pin.isascii() \
            or not PIN_MIN <= len(pin) <= PIN_MAX:
        raise ConfigError(f"a staff PIN must be {PIN_MIN} to {PIN_MAX} digits (0-9)")


def hash_pin(pin: str, *, n: int = N, r: int = R, p: int = P) -> str:
    check_pin_format(pin)
    salt = os.urandom(_SALT_BYTES)
    digest = hashlib.scrypt(pin.encode("ascii"), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM,
                            dklen=_HASH_BYTES)
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(digest)}"


def parse_pin_hash(text: str) -> PinHash:
    """Parse ``scrypt$n$r$p$salt$hash``; ConfigError (never echoing the text) if malformed."""
    parts = text.split("$") if isinstance(text, str) else []
    if len(parts) != 6 or parts[0] != "scrypt":
        raise ConfigError("not a scrypt$n$r$p$salt$hash PIN hash")
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt = base64.b64decode(parts[4], validate=True)
        digest = base64.b64decode(parts[5], validate=True)
    except ValueError as exc:
        raise ConfigError("PIN hash has a non-numeric cost or bad base64") from exc
    if n < 2**14 or n & (n - 1) or not 1 <= r <= 32 or not 1 <= p <= 16 or 128 * n * r > _MAXMEM:
        raise ConfigError("PIN hash has unsafe or unsupported scrypt costs (n a power of two "
                          "from 2**14, r 1-32, p 1-16)")
    if len(salt) < 8 or len(digest) < 16:
        raise ConfigError("PIN hash has a salt or hash that is too short")
    return PinHash(n, r, p, salt, digest)


def verify_pin(pin: str, pin_hash: str) -> bool:
    """True if ``pin`` matches; False for a wrong PIN (of any shape). Slow on purpose."""
    parsed = parse_pin_hash(pin_hash)
    if not isinstance(pin, str) or not pin.isascii():
        return False
    digest = hashlib.scrypt(pin.encode("ascii"), salt=parsed.salt, n=parsed.n, r=parsed.r,
                            p=parsed.p, maxmem=_MAXMEM, dklen=len(parsed.digest))
    return hmac.compare_digest(digest, parsed.digest)


class PinGuard:
    """Counts wrong PINs; after ``max_tries`` refuses everything for ``lockout_seconds``."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, max_tries: int = 5,
                 lockout_seconds: float = 300.0) -> None:
        if max_tries < 1 or lockout_seconds <= 0:
            raise ValueError("max_tries must be at least 1 and lockout_seconds positive")
        self._clock, self.max_tries, self.lockout_seconds = clock, max_tries, lockout_seconds
        self._wrong = 0
        self._locked_until: float | None = None
        # Serialise attempts: parallel guesses must not slip past the count.
        self._lock = threading.Lock()

    def _expire(self) -> None:
        if self._locked_until is not None and self._clock() >= self._locked_until:
            self._locked_until, self._wrong = None, 0

    def attempt(self, pin: str, pin_hash: str | None) -> bool:
        """True only for the right PIN while not locked. A locked guard does not even check."""
        if pin_hash is None:
            raise ConfigError("no staff PIN is set: IT sets one with `python -m kiosk.pin`")
        with self._lock:
            self._expire()
            if self._locked_until is not None:
                return False
            if verify_pin(pin, pin_hash):
                self._wrong = 0
                return True
            self._wrong += 1
            if self._wrong >= self.max_tries:
                self._locked_until = self._clock() + self.lockout_seconds
            return False

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk.pin",
                                     description="set the staff PIN ([staff] pin_hash)")
    parser.add_argument("--config", help="config file (default: $KIOSK_CONFIG, else "
                                         "~/.config/patient-voice/kiosk.toml)")
    parser.add_argument("--print", action="store_true", dest="print_only",
                        help="print the hash line instead of writing the config")
    args = parser.parse_args(argv)
    pin = getpass.getpass("New staff PIN: ")
    if getpass.getpass("Same PIN again: ") != pin:
        print("the two PINs differ; nothing was changed", file=sys.stderr)
        return 2
    try:
        line = hash_pin(pin)
        if args.print_only:
            print(f'pin_hash = "{line}"')
            return 0
        from kiosk.config import update_config

        cfg = update_config({"staff": {"pin_hash": line}}, args.config)
    except ConfigError as exc:
        print(f"kiosk.pin: {exc}", file=sys.stderr)
        return 2
    print(f"staff PIN set in {cfg.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
