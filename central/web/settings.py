"""Settings of the staff web: one dataclass, read from a TOML file (``docs/staff-web.md``).

Nothing here is secret except the SMTP password, which is read from the environment variable
named in the file (never from the file itself), so the file can be world-readable.
"""

from __future__ import annotations

import os
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from central.fft import DEFAULT_TIMEZONE
from central.returns import ReturnSettings
from central.returns import load_settings as load_return_settings
from kiosk.config import KNOWN_LANGUAGES
from kiosk.errors import ConfigError

DEFAULT_LANGUAGES = ("en", "cy")


@dataclass(frozen=True)
class WebSettings:
    # Where the concerns team's contacts private key is on THIS server (None: not here).
    contacts_key: Path | None = None
    base_url: str = "http://127.0.0.1:8470"  # for links in alert emails
    languages: tuple[str, ...] = DEFAULT_LANGUAGES  # what the kiosks offer: YSWH translations
    timezone: str = DEFAULT_TIMEZONE
    first_contact_days: int = 2  # working days to first contact a person who asked
    idle_seconds: float = 30 * 60
    absolute_seconds: float = 12 * 3600
    max_failures: int = 5
    lockout_seconds: float = 15 * 60
    secure_cookies: bool = False  # true behind HTTPS (then also the __Host- cookie prefix)
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_user: str = ""
    smtp_password_env: str = ""  # name of the environment variable holding the password
    mail_from: str = "patient-voice@localhost"
    alert_to: tuple[str, ...] = ()
    webhook_url: str = ""
    alert_interval: float = 60.0  # seconds between checks for new cases / poor answers; 0: off
    poor_window: float = 24 * 3600  # only answers received this recently raise an alert
    scrypt_n: int = 2**15  # tests lower it; never below 2**14 in a real deployment
    returns: ReturnSettings = field(default_factory=ReturnSettings)
    clock: Callable[[], float] = time.time

    @property
    def smtp_password(self) -> str:
        return os.environ.get(self.smtp_password_env, "") if self.smtp_password_env else ""


_TUPLES = {"languages", "alert_to"}
_PATHS = {"contacts_key"}
_SKIP = {"returns", "clock"}
ENV = "KIOSK_CENTRAL_STAFF_WEB"  # path of the TOML file with a [staff_web] table


def load_settings(path: Path | None, **overrides: Any) -> WebSettings:
    """``[staff_web]`` from a TOML file; each wrong key is named with what to do."""
    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8")).get("staff_web", {})
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read the staff web settings {path}: {exc}") from exc
    known = {f.name: f for f in fields(WebSettings) if f.name not in _SKIP}
    known_keys = {*known, "report_settings"}
    problems = [f"staff_web.{k} is not a known setting" for k in data if k not in known_keys]
    values: dict[str, Any] = {}
    if isinstance(data.get("report_settings"), str):
        # The same file `kiosk-central fft-return --settings` reads (org codes, ward names).
        values["returns"] = load_return_settings(Path(data["report_settings"]))
    for key, value in data.items():
        if key in _TUPLES and isinstance(value, list):
            values[key] = tuple(str(v) for v in value)
        elif key in _PATHS and isinstance(value, str):
            values[key] = Path(value)
        elif key in known:
            wanted = type(getattr(WebSettings, key, value))
            if not (isinstance(value, wanted) or (wanted is float and type(value) is int)):
                problems.append(f"staff_web.{key} must be like {getattr(WebSettings, key)!r}")
            values[key] = value
    unknown = [x for x in values.get("languages", ()) if x not in KNOWN_LANGUAGES]
    if unknown or "en" not in values.get("languages", ("en",)):
        problems.append(f"staff_web.languages must include en and use only {KNOWN_LANGUAGES}")
    if problems:
        raise ConfigError(f"{path}: staff web settings are wrong", problems)
    return WebSettings(**{**values, **overrides})


def settings_from_env(keys_dir: Path | None = None) -> WebSettings:
    """For `kiosk-central serve`: the file named by $KIOSK_CENTRAL_STAFF_WEB if set; without one,
    defaults, with the contacts private key taken from the keys directory if it is there."""
    path = os.environ.get(ENV)
    if path:
        return load_settings(Path(path))
    key = keys_dir / "contacts.key" if keys_dir is not None else None
    return WebSettings(contacts_key=key if key is not None and key.exists() else None)
