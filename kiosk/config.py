"""The kiosk's one TOML config file: find it, load it, validate it, save it.

Path: ``--config``, else ``$KIOSK_CONFIG``, else ``~/.config/patient-voice/kiosk.toml``.
Validation collects *every* problem, each naming the key and what to do, so IT fixes a file in one
pass. An unenrolled kiosk (no ``[central]``/``[keys]``, no ``[device] id``) is a valid config:
``kiosk check-config`` says so as a warning, and screens show "not set up" rather than crash.
Enrolment is all or nothing: a half-enrolled file is a problem.

Writes are atomic (temp file in the same directory, fsync, replace, fsync the directory) and the
file is 0600 because it holds the device token. The token never appears in repr/str, in log lines
or in error messages. See docs/config.md for every key.
"""
from __future__ import annotations

import difflib
import ipaddress
import os
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import tomli_w

from kiosk.crypto import PublicKey, Sealer
from kiosk.errors import ConfigError, CryptoError
from kiosk.fsutil import write_atomic
from kiosk.pinhash import parse_pin_hash

ENV_VAR = "KIOSK_CONFIG"
DEFAULT_PATH = Path("~/.config/patient-voice/kiosk.toml")
DEFAULT_DATA_DIR = Path("~/.local/share/patient-voice")
DEFAULT_SURVEY = Path(__file__).resolve().parent.parent / "assets" / "surveys" / "fft.json"
#: Language tags Patient Voice knows (docs/architecture.md "Survey model").
#: File name of the sealed store inside the data directory (kiosk.store reads it from here).
STORE_FILENAME = "responses.sqlite"
KNOWN_LANGUAGES = ("en", "en-x-easy", "cy", "pl", "ar", "ur", "fa", "ckb", "ro", "pt",
                   "zh-Hans", "zh-Hant", "bn", "so")
MAX_ORGANISATION = 32  # characters: the top bar also holds Read aloud, Bigger text, High contrast
DEFAULT_IDLE_SECONDS = 90
DEFAULT_WARNING_SECONDS = 30
#: WCAG 2.2.1 Timing Adjustable: people get at least 20 seconds to ask for more time.
MIN_WARNING_SECONDS = 20
MAX_IDLE_SECONDS = 3600
STATUS_FILENAME = "status.json"
_ENROL_HINT = "run `kiosk enrol` or ask IT"
_LOOPBACK_NAMES = {"localhost"}

_SCHEMA: dict[str, tuple[str, ...]] = {
    "device": ("id", "site", "location", "location_name"),
    "central": ("url", "token", "ca_bundle"),
    "keys": ("responses", "contacts"),
    "kiosk": ("languages", "default_language", "idle_seconds", "warning_seconds", "survey",
              "data_dir", "organisation"),
    "staff": ("pin_hash",),
}


@dataclass(frozen=True)
class DeviceSection:
    id: str | None = None
    site: str | None = None
    location: str | None = None
    location_name: str | None = None


@dataclass(frozen=True)
class CentralSection:
    url: str | None = None
    token: str | None = field(default=None, repr=False)  # a bearer secret: never shown
    ca_bundle: Path | None = None

    def __repr__(self) -> str:
        token = "None" if self.token is None else "'<hidden>'"
        return f"CentralSection(url={self.url!r}, token={token}, ca_bundle={self.ca_bundle!r})"


@dataclass(frozen=True)
class KeysSection:
    responses: str | None = None  # "pv1-pub:…" text form
    contacts: str | None = None


@dataclass(frozen=True)
class KioskSection:
    languages: tuple[str, ...] = KNOWN_LANGUAGES
    default_language: str = "en"
    idle_seconds: int = DEFAULT_IDLE_SECONDS
    warning_seconds: int = DEFAULT_WARNING_SECONDS
    survey: Path = DEFAULT_SURVEY
    data_dir: Path = field(default_factory=lambda: DEFAULT_DATA_DIR.expanduser())
    #: The short name shown in the top bar before "Patient feedback" (a proper name: the same
    #: in every language). None: "Patient feedback" alone.
    organisation: str | None = None


@dataclass(frozen=True)
class StaffSection:
    pin_hash: str | None = None


@dataclass(frozen=True)
class KioskConfig:
    """The validated config. Sections mirror the TOML: ``cfg.central.url`` is ``[central] url``."""

    path: Path
    device: DeviceSection = DeviceSection()
    central: CentralSection = CentralSection()
    keys: KeysSection = KeysSection()
    kiosk: KioskSection = field(default_factory=KioskSection)
    staff: StaffSection = StaffSection()
    warnings: tuple[str, ...] = ()

    @property
    def enrolled(self) -> bool:
        return self.device.id is not None and self.central.url is not None

    @property
    def store_path(self) -> Path:
        return self.kiosk.data_dir / STORE_FILENAME

    @property
    def status_path(self) -> Path:
        return self.kiosk.data_dir / STATUS_FILENAME

    def sealers(self) -> tuple[Sealer, Sealer]:
        """(responses, contacts) sealers; ConfigError on a kiosk that is not enrolled."""
        if self.keys.responses is None or self.keys.contacts is None:
            raise ConfigError(f"{self.path}: this kiosk has no public keys yet; {_ENROL_HINT}")
        return (Sealer(PublicKey.from_text(self.keys.responses), "responses"),
                Sealer(PublicKey.from_text(self.keys.contacts), "contacts"))


# --- finding and reading ------------------------------------------------------------------------

def config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--config``, else ``$KIOSK_CONFIG``, else the per-user default."""
    chosen = explicit or os.environ.get(ENV_VAR) or DEFAULT_PATH
    return Path(chosen).expanduser()


def _read_raw(path: Path, *, missing_ok: bool) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if missing_ok:
            return {}
        raise ConfigError(f"no config file at {path}: create it (see docs/config.md), "
                          f"pass --config FILE, or {_ENROL_HINT}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML ({exc}); fix the line named") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path} is not UTF-8 text; save it as UTF-8") from exc
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}; check its permissions") from exc


def load_config(path: str | os.PathLike[str] | None = None, *,
                missing_ok: bool = False) -> KioskConfig:
    """Load and validate; ConfigError lists every problem. ``missing_ok``: no file = defaults."""
    resolved = config_path(path)
    return validate(_read_raw(resolved, missing_ok=missing_ok), resolved)


# --- validation ---------------------------------------------------------------------------------

class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, section: str, key: str, text: str) -> None:
        self.items.append(f"[{section}] {key}: {text}")


def _unknown(raw: Mapping[str, Any], out: _Problems) -> None:
    for section, body in raw.items():
        if section not in _SCHEMA:
            near = difflib.get_close_matches(section, _SCHEMA, n=1)
            hint = f"did you mean [{near[0]}]?" if near else f"known: {', '.join(_SCHEMA)}"
            out.items.append(f"[{section}]: unknown section; {hint}")
        elif not isinstance(body, dict):
            out.items.append(f"{section}: must be a [{section}] table, not a value")
        else:
            for key in body:
                if key not in _SCHEMA[section]:
                    near = difflib.get_close_matches(key, _SCHEMA[section], n=1)
                    hint = f"did you mean {near[0]}?" if near else \
                        f"known: {', '.join(_SCHEMA[section])}"
                    out.add(section, key, f"unknown key; {hint}")


def _text(body: Mapping[str, Any], section: str, key: str, out: _Problems,
          *, secret: bool = False) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        out.add(section, key, "must be a non-empty quoted string")
        return None
    if value != value.strip() or (secret and any(c.isspace() for c in value)):
        # Never echo the value: this may be the token.
        out.add(section, key, "has spaces around or inside it; copy it again exactly")
        return None
    return value


def _code(body: Mapping[str, Any], section: str, key: str, out: _Problems) -> str | None:
    value = _text(body, section, key, out)
    if value is not None and not all(c.isalnum() or c in "-_." for c in value):
        out.add(section, key, f"{value!r} may use only letters, digits, '-', '_' and '.'")
        return None
    return value


def _path(body: Mapping[str, Any], section: str, key: str, base: Path,
          out: _Problems) -> Path | None:
    value = _text(body, section, key, out)
    if value is None:
        return None
    path = Path(value).expanduser()
    return path if path.is_absolute() else (base / path)  # relative to the config file


def _url(body: Mapping[str, Any], out: _Problems) -> str | None:
    url = _text(body, "central", "url", out)
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url.rstrip("/")
    if parts.scheme == "http" and parts.hostname and _is_loopback(parts.hostname):
        return url.rstrip("/")
    out.add("central", "url", f"{url!r} must start with https:// (plain http only to this "
                              "machine, e.g. http://127.0.0.1:8000); ask IT for the address")
    return None


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _public_key(body: Mapping[str, Any], key: str, out: _Problems) -> str | None:
    value = _text(body, "keys", key, out)
    if value is None:
        return None
    try:
        PublicKey.from_text(value)
    except CryptoError as exc:
        out.add("keys", key, f"not a Patient Voice public key (expected pv1-pub:…: {exc}); "
                             f"{_ENROL_HINT}")
        return None
    return value


def _seconds(body: Mapping[str, Any], key: str, default: int, low: int, high: int,
             out: _Problems) -> int:
    value = body.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        out.add("kiosk", key, f"must be a whole number of seconds from {low} to {high} "
                              f"(default {default}), not {value!r}")
        return default
    return value


def _languages(body: Mapping[str, Any], out: _Problems) -> tuple[tuple[str, ...], str]:
    langs = body.get("languages", list(KNOWN_LANGUAGES))
    if not isinstance(langs, list) or not langs or not all(isinstance(x, str) for x in langs):
        out.add("kiosk", "languages", 'must be a list of language tags, e.g. ["en", "cy", "pl"]')
        langs = list(KNOWN_LANGUAGES)
    for tag in langs:
        if tag not in KNOWN_LANGUAGES:
            near = difflib.get_close_matches(tag, KNOWN_LANGUAGES, n=1)
            hint = (f"did you mean {near[0]!r}?" if near
                    else f"use one of {', '.join(KNOWN_LANGUAGES)}")
            out.add("kiosk", "languages", f"{tag!r} is not a known language tag; {hint}")
    if len(set(langs)) != len(langs):
        out.add("kiosk", "languages", "lists a language twice; keep each tag once")
    default = body.get("default_language", "en")
    if not isinstance(default, str) or default not in langs:
        out.add("kiosk", "default_language", f"{default!r} must be one of the languages listed "
                                             "in [kiosk] languages")
        default = langs[0] if langs else "en"
    return tuple(langs), default


def _kiosk_section(body: Mapping[str, Any], base: Path, out: _Problems) -> KioskSection:
    langs, default_lang = _languages(body, out)
    idle = _seconds(body, "idle_seconds", DEFAULT_IDLE_SECONDS, 30, MAX_IDLE_SECONDS, out)
    warning = _seconds(body, "warning_seconds", DEFAULT_WARNING_SECONDS, MIN_WARNING_SECONDS,
                       MAX_IDLE_SECONDS, out)
    survey = _path(body, "kiosk", "survey", base, out) or DEFAULT_SURVEY
    if not survey.is_file():
        out.add("kiosk", "survey", f"{survey} does not exist; point it at a survey JSON file "
                                   "or remove the key to use the packaged FFT survey")
    data_dir = _path(body, "kiosk", "data_dir", base, out) or DEFAULT_DATA_DIR.expanduser()
    if data_dir.exists() and not data_dir.is_dir():
        out.add("kiosk", "data_dir", f"{data_dir} is a file; it must be a directory")
    organisation = _text(body, "kiosk", "organisation", out)
    if organisation is not None and (len(organisation) > MAX_ORGANISATION
                                     or not organisation.isprintable()):
        out.add("kiosk", "organisation", f"must be a short name on one line (at most "
                                         f"{MAX_ORGANISATION} characters), e.g. \"Example Cancer "
                                         "Centre\": it shares the top bar with three buttons")
        organisation = None
    return KioskSection(langs, default_lang, idle, warning, survey, data_dir, organisation)


def _staff_section(body: Mapping[str, Any], out: _Problems) -> StaffSection:
    pin_hash = _text(body, "staff", "pin_hash", out)
    if pin_hash is not None:
        try:
            parse_pin_hash(pin_hash)
        except ConfigError as exc:
            out.add("staff", "pin_hash", f"{exc}; set a new PIN with `kiosk set-pin`")
            pin_hash = None
    return StaffSection(pin_hash)


def _enrolment(sec: Mapping[str, Mapping[str, Any]], out: _Problems) -> None:
    """Enrolment is all or nothing: name what a half-enrolled file lacks (judged on the raw
    file, so a present-but-invalid value is reported once, as invalid, not also as missing)."""
    parts = [("device", "id"), ("central", "url"), ("central", "token"), ("keys", "responses"),
             ("keys", "contacts")]
    present = [(s, k) for s, k in parts if sec[s].get(k) is not None]
    if not present:
        return
    for section, key in parts:
        if (section, key) not in present:
            out.add(section, key, f"missing, but the kiosk is partly enrolled; {_ENROL_HINT}")
    for key in ("site", "location"):
        if sec["device"].get(key) is None:
            out.add("device", key, "missing; an enrolled kiosk needs its site and location "
                                   "code (ask IT)")


def _warnings(cfg: KioskConfig) -> tuple[str, ...]:
    notes = []
    if not cfg.enrolled:
        notes.append("this kiosk is not enrolled yet: it cannot save or send responses until "
                     "IT runs `kiosk enrol --central URL --code CODE`")
    if cfg.staff.pin_hash is None:
        notes.append("[staff] pin_hash is not set: the staff screen is locked until a PIN is set "
                     "with `kiosk set-pin`")
    try:
        mode = stat.S_IMODE(cfg.path.stat().st_mode)
    except OSError:
        mode = 0
    if cfg.central.token is not None and mode & 0o077:
        notes.append(f"{cfg.path} is readable by other users (mode {mode:04o}) and holds the "
                     f"device token: run `chmod 600 {cfg.path}`")
    return tuple(notes)


def validate(raw: Mapping[str, Any], path: Path) -> KioskConfig:
    """Build a KioskConfig from parsed TOML, or raise ConfigError naming every problem."""
    out = _Problems()
    _unknown(raw, out)
    base = path.parent
    sec = {name: raw.get(name) if isinstance(raw.get(name), dict) else {} for name in _SCHEMA}
    device = DeviceSection(_code(sec["device"], "device", "id", out),
                           _code(sec["device"], "device", "site", out),
                           _code(sec["device"], "device", "location", out),
                           _text(sec["device"], "device", "location_name", out))
    ca = _path(sec["central"], "central", "ca_bundle", base, out)
    if ca is not None and not ca.is_file():
        out.add("central", "ca_bundle", f"{ca} does not exist; give the CA certificate file IT "
                                        "supplied, or remove the key to use the system CAs")
    central = CentralSection(_url(sec["central"], out),
                             _text(sec["central"], "central", "token", out, secret=True), ca)
    keys = KeysSection(_public_key(sec["keys"], "responses", out),
                       _public_key(sec["keys"], "contacts", out))
    cfg = KioskConfig(path, device, central, keys, _kiosk_section(sec["kiosk"], base, out),
                      _staff_section(sec["staff"], out))
    _enrolment(sec, out)
    if out.items:
        raise ConfigError(f"{path}: {len(out.items)} problem(s) in the config", out.items)
    return KioskConfig(**{**cfg.__dict__, "warnings": _warnings(cfg)})


# --- writing ------------------------------------------------------------------------------------

def _toml_value(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def to_toml(cfg: KioskConfig) -> dict[str, dict[str, Any]]:
    """The TOML tables for ``cfg``; keys at their default value are left out."""
    defaults = {"device": DeviceSection(), "central": CentralSection(), "keys": KeysSection(),
                "kiosk": KioskSection(), "staff": StaffSection()}
    tables: dict[str, dict[str, Any]] = {}
    for section, keys in _SCHEMA.items():
        body = getattr(cfg, section)
        default = defaults[section]
        table = {k: _toml_value(getattr(body, k)) for k in keys
                 if getattr(body, k) is not None and getattr(body, k) != getattr(default, k)}
        if table:
            tables[section] = table
    return tables


def _write_atomic(path: Path, text: str) -> None:
    try:
        write_atomic(path, text.encode("utf-8"), mode=0o600)
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror}; check the disk and "
                          "permissions (the old file is unchanged)") from exc


def save_config(cfg: KioskConfig, path: str | os.PathLike[str] | None = None) -> Path:
    """Write ``cfg`` atomically, 0600. Returns the path written."""
    target = Path(path) if path is not None else cfg.path
    validate(to_toml(cfg), target)  # never write a file that would not load
    _write_atomic(target, tomli_w.dumps(to_toml(cfg)))
    return target


def update_config(changes: Mapping[str, Mapping[str, Any]],
                  path: str | os.PathLike[str] | None = None) -> KioskConfig:
    """Merge ``{section: {key: value}}`` into the file (None removes a key), validate, write.

    The file need not exist yet (``kiosk enrol`` on a fresh device). Keys not named are kept
    exactly as written. On a ConfigError nothing is written.
    """
    resolved = config_path(path)
    raw = _read_raw(resolved, missing_ok=True)
    for section, values in changes.items():
        table = dict(raw.get(section) or {})
        for key, value in values.items():
            if value is None:
                table.pop(key, None)
            else:
                table[key] = _toml_value(value)
        if table:
            raw[section] = table
        else:
            raw.pop(section, None)
    cfg = validate(raw, resolved)
    _write_atomic(resolved, tomli_w.dumps(raw))
    return cfg


# --- `kiosk check-config` -----------------------------------------------------------------------

def check_main(args: Any) -> int:
    """Print "config OK: <path>" (after any warnings) or every problem; exit 0 or 2."""
    path = config_path(getattr(args, "config", None))
    try:
        cfg = load_config(path)
    except ConfigError as exc:
        print(f"config has problems: {path}")
        for problem in exc.problems:
            print(f"  - {problem}")
        return 2
    for note in cfg.warnings:
        print(f"warning: {note}")
    print(f"config OK: {path}")
    return 0
