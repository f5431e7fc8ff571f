"""TLS against a real HTTPS central record on loopback: verification is on, a configured CA
bundle is honoured, and a certificate the kiosk cannot verify is refused (never ignored)."""
from __future__ import annotations

import datetime
import ipaddress
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from sync.client import CentralClient
from sync.protocol import WireError
from tests.central.live import CentralKeys, LiveCentral


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(subject: str, key: ec.EllipticCurvePrivateKey, issuer: str,
          issuer_key: ec.EllipticCurvePrivateKey, *, ca: bool, san: x509.GeneralName | None
          ) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    builder = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(_name(issuer))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(minutes=5))
               .not_valid_after(now + datetime.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if san is not None:
        builder = builder.add_extension(x509.SubjectAlternativeName([san]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(path: Path, obj: object) -> Path:
    if isinstance(obj, x509.Certificate):
        path.write_bytes(obj.public_bytes(serialization.Encoding.PEM))
    else:
        path.write_bytes(obj.private_bytes(serialization.Encoding.PEM,  # type: ignore[attr-defined]
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return path


@pytest.fixture
def https_central(tmp_path: Path, central_keys: CentralKeys) -> Iterator[tuple[LiveCentral, Path]]:
    ca_key = ec.generate_private_key(ec.SECP256R1())
    server_key = ec.generate_private_key(ec.SECP256R1())
    ca = _cert("Test Trust CA", ca_key, "Test Trust CA", ca_key, ca=True, san=None)
    server = _cert("central", server_key, "Test Trust CA", ca_key, ca=False,
                   san=x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
    tls = (_pem(tmp_path / "server.pem", server), _pem(tmp_path / "server.key", server_key))
    central = LiveCentral(f"sqlite:///{tmp_path / 'c.sqlite'}", central_keys, tls=tls).start()
    yield central, _pem(tmp_path / "ca.pem", ca)
    central.stop()


def test_the_configured_ca_bundle_is_used(https_central: tuple[LiveCentral, Path]) -> None:
    central, ca = https_central
    got = CentralClient(central.url, ca_bundle=str(ca)).enrol(central.enrol())
    assert got.device_id and central.url.startswith("https://")


def test_an_unverifiable_certificate_is_refused(https_central: tuple[LiveCentral, Path]) -> None:
    central, _ = https_central
    code = central.enrol()
    with pytest.raises(WireError) as err:
        CentralClient(central.url).enrol(code)  # the system store does not know this CA
    assert err.value.code == "tls_failed" and "ca_bundle" in str(err.value)
    assert central.record.counts()["devices"] == 0  # nothing was sent
