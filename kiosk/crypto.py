"""Sealing: HPKE (RFC 9180) with the hybrid post-quantum KEM ML-KEM-768 + X25519.

The kiosk holds only *public* keys, so once a payload is sealed the kiosk itself cannot read it
back; the central record holds the private keys. Two key pairs exist: ``responses`` (opened at
ingest into the reporting tables) and ``contacts`` (opened only where the concerns team works).
Contact details are kept for years, so a harvest-now-decrypt-later attacker is in scope:
that is why the KEM is hybrid post-quantum, not X25519 alone.

Text forms (safe for TOML and JSON):
  public key   ``pv1-pub:<base64url(mlkem768 public 1184 B || x25519 public 32 B)>``
  private key  ``pv1-priv:<base64url(mlkem768 seed 64 B || x25519 private 32 B)>``
  key id       first 16 hex digits of SHA-256 over the raw public key bytes

Every seal binds ``info = b"patient-voice/v1|" + purpose + b"|" + record_id`` so a sealed blob
cannot be moved onto another record or opened as the other purpose.

cryptography is imported only here (and in the store); callers see ``CryptoError``.
"""
from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric import mlkem, x25519

from kiosk.errors import CryptoError

_PUB_PREFIX = "pv1-pub:"
_PRIV_PREFIX = "pv1-priv:"
_MLKEM_PUB = 1184
_MLKEM_SEED = 64
_X25519 = 32
_SUITE = hpke.Suite(hpke.KEM.MLKEM768_X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)

PURPOSES = ("responses", "contacts")


def _b64e(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _b64d(text: str, what: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise CryptoError(f"{what} is not valid base64url") from exc


def _info(purpose: str, record_id: str) -> bytes:
    if purpose not in PURPOSES:
        raise CryptoError(f"unknown sealing purpose {purpose!r}; expected one of {PURPOSES}")
    return b"patient-voice/v1|" + purpose.encode() + b"|" + record_id.encode()


@dataclass(frozen=True)
class PublicKey:
    """A recipient's public key, as the kiosk holds it."""

    raw: bytes

    @classmethod
    def from_text(cls, text: str) -> PublicKey:
        if not isinstance(text, str) or not text.startswith(_PUB_PREFIX):
            raise CryptoError(f"a public key must start with {_PUB_PREFIX!r}")
        raw = _b64d(text[len(_PUB_PREFIX):], "public key")
        if len(raw) != _MLKEM_PUB + _X25519:
            raise CryptoError(f"public key has {len(raw)} bytes; expected {_MLKEM_PUB + _X25519}")
        key = cls(raw)
        key._hpke()  # reject garbage now, not at the first seal
        return key

    def to_text(self) -> str:
        return _PUB_PREFIX + _b64e(self.raw)

    @property
    def key_id(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()[:16]

    def _hpke(self) -> hpke.MLKEM768X25519PublicKey:
        try:
            return hpke.MLKEM768X25519PublicKey(
                mlkem.MLKEM768PublicKey.from_public_bytes(self.raw[:_MLKEM_PUB]),
                x25519.X25519PublicKey.from_public_bytes(self.raw[_MLKEM_PUB:]),
            )
        except ValueError as exc:
            raise CryptoError("public key bytes are not a valid ML-KEM-768 + X25519 key") from exc


class PrivateKey:
    """A recipient's private key. Lives only at the central record."""

    def __init__(self, mlkem_seed: bytes, x25519_raw: bytes) -> None:
        try:
            self._mlkem = mlkem.MLKEM768PrivateKey.from_seed_bytes(mlkem_seed)
            self._x = x25519.X25519PrivateKey.from_private_bytes(x25519_raw)
        except ValueError as exc:
            raise CryptoError("private key bytes are not a valid ML-KEM-768 + X25519 key") from exc
        self._key = hpke.MLKEM768X25519PrivateKey(self._mlkem, self._x)

    @classmethod
    def generate(cls) -> PrivateKey:
        return cls(os.urandom(_MLKEM_SEED), x25519.X25519PrivateKey.generate().private_bytes_raw())

    @classmethod
    def from_text(cls, text: str) -> PrivateKey:
        text = text.strip()
        if not text.startswith(_PRIV_PREFIX):
            raise CryptoError(f"a private key must start with {_PRIV_PREFIX!r}")
        raw = _b64d(text[len(_PRIV_PREFIX):], "private key")
        if len(raw) != _MLKEM_SEED + _X25519:
            raise CryptoError(f"private key has {len(raw)} bytes; expected {_MLKEM_SEED + _X25519}")
        return cls(raw[:_MLKEM_SEED], raw[_MLKEM_SEED:])

    @classmethod
    def load(cls, path: Path) -> PrivateKey:
        try:
            return cls.from_text(Path(path).read_text(encoding="ascii"))
        except OSError as exc:
            raise CryptoError(f"cannot read private key {path}: {exc.strerror}") from exc

    def to_text(self) -> str:
        return _PRIV_PREFIX + _b64e(self._mlkem.private_bytes_raw() + self._x.private_bytes_raw())

    def save(self, path: Path) -> None:
        """Write the key readable by its owner only (0600), never world-readable even briefly."""
        path = Path(path)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(self.to_text() + "\n")

    def public_key(self) -> PublicKey:
        return PublicKey(
            self._mlkem.public_key().public_bytes_raw() + self._x.public_key().public_bytes_raw()
        )

    def open(self, sealed: bytes, purpose: str, record_id: str) -> bytes:
        try:
            return _SUITE.decrypt(sealed, self._key, info=_info(purpose, record_id))
        except (InvalidTag, ValueError) as exc:
            raise CryptoError(
                f"sealed {purpose} payload of record {record_id} does not open with key "
                f"{self.public_key().key_id} (wrong key, wrong record, or damaged bytes)"
            ) from exc


class Sealer:
    """Seals payloads to one public key. The only crypto object a kiosk holds."""

    def __init__(self, public_key: PublicKey, purpose: str) -> None:
        _info(purpose, "")  # validate purpose early
        self.public_key = public_key
        self.purpose = purpose
        self._key = public_key._hpke()  # parsed once, not per seal
        self.key_id = public_key.key_id  # a SHA-256 the store would otherwise redo every add

    def seal(self, plaintext: bytes, record_id: str) -> bytes:
        return _SUITE.encrypt(plaintext, self._key, info=_info(self.purpose, record_id))
