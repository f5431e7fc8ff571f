"""The staff PIN's rules and its hash: what a PIN may be, and ``[staff] pin_hash``.

A leaf module (it imports only kiosk.errors) so that kiosk.config can validate a hash and
kiosk.pin can write one to the config without the two importing each other.

Format of ``[staff] pin_hash``: ``scrypt$<n>$<r>$<p>$<salt base64>$<hash base64>``. n=2**15, r=8
costs ~70 ms and 32 MiB here: cheap for one staff login, expensive for someone who copied the
config and tries all 10**4..10**8 PINs. Verification takes that long too, so a screen calls it off
the UI thread.

A *new* PIN must also not be weak (``check_new_pin``): one digit repeated, or a straight run up
or down such as 1234 or 9876, are the first PINs anyone tries. An existing hash of such a PIN
still verifies; only setting one is refused.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
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
    """ConfigError unless ``pin`` is 4 to 12 ASCII digits (the message never echoes it)."""
    if not isinstance(pin, str) or not pin.isdigit() or not pin.isascii() \
            or not PIN_MIN <= len(pin) <= PIN_MAX:
        raise ConfigError(f"a staff PIN must be {PIN_MIN} to {PIN_MAX} digits (0-9)")


def check_new_pin(pin: str) -> None:
    """The rules for setting a PIN: the format, and not one of the first PINs anyone tries."""
    check_pin_format(pin)
    steps = {int(b) - int(a) for a, b in zip(pin, pin[1:], strict=False)}
    if steps == {0}:
        raise ConfigError("that staff PIN is too easy to guess (one digit repeated); "
                          "choose digits that do not follow a pattern")
    if steps in ({1}, {-1}):
        raise ConfigError("that staff PIN is too easy to guess (digits counting up or down, "
                          "like 1234); choose digits that do not follow a pattern")


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
