"""HTTP to the central record: one method per endpoint, through an injected ``requests.Session``.

TLS certificates are always verified: ``verify`` is passed on every request (the system store,
or the configured CA bundle), so not even a session someone configured with ``verify=False``
can turn it off, and there is no switch to. Plain ``http://`` is allowed to loopback only (tests,
a central record on the same machine). The token goes in the Authorization header and nowhere
else: not in ``repr``, not in exceptions, not in logs.

requests' exceptions are translated here into the sync errors of ``sync.protocol``.
"""

from __future__ import annotations

import email.utils
import ipaddress
import json
import time
from typing import Any
from urllib.parse import urlsplit

import requests

from kiosk.errors import ConfigError
from sync.protocol import (
    API_PREFIX,
    Batch,
    BatchResult,
    DeviceRevokedError,
    Enrolment,
    EnrolmentError,
    Heartbeat,
    TransientSyncError,
    WireError,
    batch_body,
)

DEFAULT_TIMEOUT = (5.0, 60.0)  # (connect, read) seconds
_TRANSIENT_STATUS = {408, 425, 429, 500, 502, 503, 504}


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ConfigError(f"central url {url!r} must look like https://central.example.nhs.uk")
    if parts.scheme == "http" and not _loopback(parts.hostname):
        raise ConfigError(f"central url {url!r} must use https (plain http is for loopback only)")
    return url.rstrip("/")


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - (time.time() if now is None else now))


class CentralClient:
    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        session: requests.Session | None = None,
        ca_bundle: str | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    ) -> None:
        self.base_url = check_url(base_url)
        self._token = token
        self._session = session or requests.Session()
        self._verify: str | bool = ca_bundle or True
        self._timeout = timeout

    def __repr__(self) -> str:
        return f"CentralClient({self.base_url!r}, token={'set' if self._token else 'none'})"

    # ------------------------------------------------------------ endpoints

    def enrol(self, code: str, previous_device_id: str | None = None) -> Enrolment:
        body: dict = {"code": code}
        if previous_device_id:
            body["previous_device_id"] = previous_device_id
        resp = self._send("POST", "/enrol", json.dumps(body).encode(), auth=False)
        if resp.status_code in (400, 403, 422):
            body = _error_of(resp)
            raise EnrolmentError(body[0], body[1])
        self._check(resp)
        return Enrolment.from_json(_json_of(resp))

    def upload(self, batch: Batch) -> BatchResult:
        return self.upload_body(batch.batch_id, batch_body(batch.batch_id,
                                                           [r.to_json() for r in batch.records]))

    def upload_body(self, batch_id: str, body: bytes) -> BatchResult:
        """POST an encoded batch (``sync.protocol.batch_body``); the answer, checked."""
        resp = self._send("POST", "/batches", body, headers={"Content-Encoding": "gzip"})
        self._check(resp)
        result = BatchResult.from_json(_json_of(resp))
        if result.batch_id != batch_id:
            raise WireError(
                "wrong_answer", "the central record answered for a different batch", 502
            )
        return result

    def heartbeat(self, hb: Heartbeat) -> None:
        self._check(self._send("POST", "/heartbeat", json.dumps(hb.to_json()).encode()))

    def content(self, etag: str | None) -> tuple[str | None, dict | None]:
        """(etag, document), or (etag, None) when unchanged since ``etag`` (304)."""
        headers = {"If-None-Match": etag} if etag else {}
        resp = self._send("GET", "/content", None, headers=headers)
        if resp.status_code == 304:
            return etag, None
        self._check(resp)
        doc = _json_of(resp)
        if not isinstance(doc, dict):
            raise WireError("wrong_answer", "the content answer is not a JSON object", 502)
        return resp.headers.get("ETag"), doc

    # ------------------------------------------------------------ plumbing

    def _send(
        self,
        method: str,
        path: str,
        body: bytes | None,
        *,
        auth: bool = True,
        headers: dict | None = None,
    ) -> requests.Response:
        all_headers = {"Accept": "application/json", **(headers or {})}
        if body is not None:
            all_headers["Content-Type"] = "application/json"
        if auth:
            if not self._token:
                raise DeviceRevokedError("this kiosk has no device token: enrol it (`kiosk enrol`)")
            all_headers["Authorization"] = f"Bearer {self._token}"
        try:
            return self._session.request(
                method,
                self.base_url + API_PREFIX + path,
                data=body,
                headers=all_headers,
                timeout=self._timeout,
                verify=self._verify,
                allow_redirects=False,
            )
        except requests.exceptions.SSLError as exc:
            # Not retryable by waiting: the certificate or the CA bundle is wrong.
            raise WireError(
                "tls_failed",
                f"TLS verification failed for {self.base_url}: "
                f"{type(exc).__name__}; check [central] ca_bundle",
                495,
            ) from None
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise TransientSyncError(
                f"cannot reach {self.base_url}: {type(exc).__name__}"
            ) from None
        except requests.RequestException as exc:
            raise TransientSyncError(
                f"request to {self.base_url} failed: {type(exc).__name__}"
            ) from None

    @staticmethod
    def _check(resp: requests.Response) -> None:
        if resp.status_code < 300:
            return
        code, message = _error_of(resp)
        if resp.status_code == 401:
            raise DeviceRevokedError(f"the central record refused this kiosk's token ({code})")
        if resp.status_code in _TRANSIENT_STATUS:
            raise TransientSyncError(
                f"central record answered {resp.status_code} ({code})",
                retry_after(resp.headers.get("Retry-After")),
            )
        raise WireError(code, message, resp.status_code)


def _json_of(resp: requests.Response) -> Any:
    try:
        return resp.json()
    except ValueError:
        # A 200 that is not JSON (a captive portal, a proxy page): try again later.
        raise TransientSyncError(f"the answer from {resp.url.split('?')[0]} is not JSON") from None


def _error_of(resp: requests.Response) -> tuple[str, str]:
    try:
        err = resp.json()["error"]
        return str(err["code"]), str(err["message"])
    except (ValueError, KeyError, TypeError):
        return f"http_{resp.status_code}", f"HTTP {resp.status_code} {resp.reason or ''}".strip()
