"""`kiosk-central`: the central record's console script, a thin client of the library.

    kiosk-central keygen                      make the responses and contacts key pairs (0600)
    kiosk-central serve [--host --port]       run the service (SQLite under --data-dir by default)
    kiosk-central enrol --location --site     print a one-time, short-lived enrolment code
    kiosk-central devices                     list kiosks and their health
    kiosk-central revoke DEVICE               stop a kiosk's token working
    kiosk-central content set --location L (--survey F | --settings F | --yswh F)
    kiosk-central stats                       counts: stored, quarantined by reason, conflicts
    kiosk-central reingest                    retry quarantined records (after a fix)

Every command takes --data-dir (default $KIOSK_CENTRAL_DATA, else ./central-data),
--database-url (default: SQLite file in the data dir; or postgresql://...) and --keys-dir, before
or after the command. A domain error becomes one sentence on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path

from central.content import ContentPublisher
from central.db import Database
from central.opening import cores
from central.private import UMASK, start_private
from central.ratelimit import RateLimits, load_limits
from central.service import DEFAULT_CODE_TTL, CentralRecord
from kiosk.cliargs import default_or_suppress, share_global_options
from kiosk.config import DEFAULT_SURVEY
from kiosk.crypto import PrivateKey, PublicKey
from kiosk.errors import CryptoError, PatientVoiceError, SurveyError, SurveyValidationError
from kiosk.survey import load_survey
from sync.protocol import WireError

log = logging.getLogger(__name__)

ENV_URL, ENV_KEYS, ENV_BENCH = ("KIOSK_CENTRAL_DATABASE_URL", "KIOSK_CENTRAL_KEYS_DIR",
                               "KIOSK_CENTRAL_BENCH")
ENV_PROCESSES = "KIOSK_CENTRAL_OPEN_PROCESSES"  # set by `serve` for its worker processes
KEY_FILES = {"responses": "responses.key", "contacts": "contacts.key"}


def database_url(args: argparse.Namespace) -> str:
    url = args.database_url or os.environ.get(ENV_URL)
    return url or f"sqlite:///{Path(args.data_dir).resolve() / 'central.sqlite'}"


def keys_dir(args: argparse.Namespace) -> Path:
    return Path(args.keys_dir) if args.keys_dir else Path(args.data_dir) / "keys"


def sqlite_path(url: str) -> Path | None:
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


def make_private(args: argparse.Namespace) -> None:
    """Umask 077 and a private data dir before anything is written (central/private.py).
    The data dir is created only when something will be put in it (the default SQLite file or
    keys dir), so a PostgreSQL install with its keys elsewhere gets no stray directory."""
    url, data = database_url(args), Path(args.data_dir)
    keys = keys_dir(args)
    uses_data = _under(sqlite_path(url), data) or _under(keys, data)
    start_private(data, sqlite_path(url), keys, create=uses_data)


def _under(path: Path | None, root: Path) -> bool:
    return path is not None and path.resolve().is_relative_to(root.resolve())


def open_central(url: str, keys: Path,
                 processes: int = 0) -> tuple[Database, CentralRecord, ContentPublisher]:
    """Open the database (migrating it) and load the keys the service needs: the responses
    private key (ingest) and the contacts *public* key (handed to kiosks). The contacts private
    key is not needed here and should live where the concerns team works. ``processes``: worker
    processes that decrypt batches (central.opening; 0: in the calling thread)."""
    db = Database.open(url)
    db.migrate()
    responses = (
        PrivateKey.load(keys / KEY_FILES["responses"])
        if (keys / KEY_FILES["responses"]).exists()
        else None
    )
    contacts_pub = keys / "contacts.pub"
    contacts = (
        PublicKey.from_text(contacts_pub.read_text().strip()) if contacts_pub.exists() else None
    )
    retired = tuple(PrivateKey.load(p) for p in sorted(keys.glob("responses.*.key")))
    current = responses.public_key().to_text() if responses else None
    publisher = ContentPublisher(db, responses_key=current)
    try:
        publisher.register_known_survey(DEFAULT_SURVEY)
    except WireError as exc:  # the packaged survey changed without a new version number
        log.warning("packaged survey not registered: %s", exc)
    return db, CentralRecord(db, responses, contacts, retired, processes=processes), publisher


def rotate_responses_key(keys: Path) -> PrivateKey:
    """Retire responses.key as responses.<key id>.key (still used to open what kiosks sealed
    to it) and make a new one, handed to kiosks from their next enrolment."""
    current = keys / KEY_FILES["responses"]
    if not current.exists():
        raise CryptoError(f"{current} does not exist: run `kiosk-central keygen` first")
    old_id = PrivateKey.load(current).public_key().key_id
    os.replace(current, keys / f"responses.{old_id}.key")
    os.replace(keys / "responses.pub", keys / f"responses.{old_id}.pub")
    key = PrivateKey.generate()
    key.save(current)
    (keys / "responses.pub").write_text(key.public_key().to_text() + "\n")
    return key


def cmd_keygen(args: argparse.Namespace) -> int:
    keys = keys_dir(args)
    keys.mkdir(parents=True, exist_ok=True, mode=0o700)
    if args.rotate_responses:
        key = rotate_responses_key(keys)
        print(f"responses: {key.public_key().to_text()}")
        print(f"  new key id {key.public_key().key_id}; the old key is kept to open older records."
              " Restart `serve`; kiosks take the new key with their next content pull.")
        return 0
    for name in KEY_FILES.values():
        if (keys / name).exists():
            raise CryptoError(
                f"{keys / name} already exists; refusing to overwrite a key "
                "(records sealed to it would become unreadable)"
            )
    for purpose, name in KEY_FILES.items():
        key = PrivateKey.generate()
        key.save(keys / name)
        (keys / f"{purpose}.pub").write_text(key.public_key().to_text() + "\n")
        print(f"{purpose}: {key.public_key().to_text()}")
        print(f"  private key written to {keys / name} (0600); key id {key.public_key().key_id}")
    print(
        "Move contacts.key to where the concerns team works; the service needs only contacts.pub."
    )
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    _, record, _ = open_central(database_url(args), keys_dir(args))  # migrate once, check keys
    load_limits()  # a wrong $KIOSK_CENTRAL_RATE_LIMITS file stops here, with what to fix
    if record._key is None:
        print(
            "kiosk-central serve: no responses key yet; run `kiosk-central keygen` first",
            file=sys.stderr,
        )
        return 2
    # Each worker process builds its own app from these (uvicorn's factory): with --workers,
    # several processes share one database (PostgreSQL, or SQLite on one machine).
    os.environ[ENV_URL] = database_url(args)
    os.environ[ENV_KEYS] = str(keys_dir(args).resolve())
    os.environ[ENV_BENCH] = "1" if args.bench else ""
    # Decrypting is CPU-bound and holds the GIL: each service process gets its share of the
    # cores as worker processes (none if that share is one core: it decrypts in a thread).
    os.environ.setdefault(ENV_PROCESSES, str(cores() // max(1, args.workers)))
    # keep-alive longer than uvicorn's 5 s default: hundreds of kiosks on one server otherwise
    # meet the race where the server closes an idle connection as the client reuses it.
    uvicorn.run(
        "central.cli:app_from_env",
        factory=True,
        workers=args.workers,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        ssl_certfile=args.ssl_certfile,
        ssl_keyfile=args.ssl_keyfile,
        access_log=False,
        timeout_keep_alive=args.keep_alive,
        backlog=2048,
    )
    return 0


def app_from_env() -> object:
    """The ASGI app for one `serve` worker process (see cmd_serve)."""
    from central.app import build_app
    from central.web.settings import settings_from_env

    os.umask(UMASK)  # a worker process may be spawned afresh: files it creates stay private
    _, record, publisher = open_central(os.environ[ENV_URL], Path(os.environ[ENV_KEYS]),
                                        int(os.environ.get(ENV_PROCESSES) or 0))
    bench = bool(os.environ.get(ENV_BENCH))
    # --bench measures throughput from one address and device: no rate limits there.
    return build_app(record, publisher, bench=bench,
                     staff_web=settings_from_env(Path(os.environ[ENV_KEYS])),
                     limits=RateLimits.off() if bench else load_limits())


def cmd_enrol(args: argparse.Namespace) -> int:
    _, record, _ = open_central(database_url(args), keys_dir(args))
    code = record.create_enrol_code(args.site, args.location, args.name, ttl=args.ttl * 60)
    print(code)
    print(
        f"One use, valid for {args.ttl:g} minutes, for site {args.site} location {args.location}.",
        file=sys.stderr,
    )
    return 0


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f}{unit}"
    return f"{seconds:.0f}s"


def cmd_devices(args: argparse.Namespace) -> int:
    _, record, _ = open_central(database_url(args), keys_dir(args))
    views = record.devices(silent_after=args.silent_hours * 3600)
    if args.json:
        print(json.dumps([v.__dict__ for v in views], indent=2))
        return 0
    now = time.time()
    print(
        f"{'DEVICE':32}  {'LOCATION':12} {'VERSION':9} {'LAST SEEN':>9} {'PENDING':>7} "
        f"{'OLDEST':>7} {'FREE DISK':>9}  STATE / LAST ERROR"
    )
    for v in views:
        state = "REVOKED" if v.revoked else ("SILENT" if v.silent else "ok")
        disk = "-" if v.free_disk is None else f"{v.free_disk / 2**30:.1f}G"
        seen = "never" if v.last_seen is None else _age(now - v.last_seen)
        print(
            f"{v.device_id:32}  {v.location:12} {v.app_version or '-':9} {seen:>9} "
            f"{'-' if v.pending is None else v.pending:>7} {_age(v.oldest_pending_age):>7} "
            f"{disk:>9}  {state}{' / ' + v.last_error if v.last_error else ''}"
        )
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    _, record, _ = open_central(database_url(args), keys_dir(args))
    if not record.revoke(args.device):
        raise WireError(
            "unknown_device", f"no active device {args.device!r}; see `kiosk-central devices`"
        )
    print(
        f"revoked {args.device}: its token no longer works; its records already received are kept"
    )
    return 0


def cmd_content(args: argparse.Namespace) -> int:
    _, _, publisher = open_central(database_url(args), keys_dir(args))
    chosen = [
        (k, f)
        for k, f in (
            ("survey", args.survey),
            ("settings", args.settings),
            ("you_said_we_heard", args.yswh),
        )
        if f
    ]
    if len(chosen) != 1:
        raise WireError("bad_usage", "give exactly one of --survey, --settings, --yswh")
    kind, path = chosen[0]
    if kind == "survey":  # the strict reading: size before parsing, repeated keys, every limit
        try:
            load_survey(path)
        except SurveyValidationError as exc:
            raise WireError("invalid_content", f"{path}: " + "; ".join(exc.problems)) from exc
        except SurveyError as exc:
            raise WireError("invalid_content", str(exc)) from exc
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise WireError("invalid_content", f"cannot read {path} as JSON: {exc}") from exc
    publisher.publish(args.location, kind, data, source=str(path))
    print(f"published {kind} for location {args.location}")
    return 0


def cmd_reingest(args: argparse.Namespace) -> int:
    _, record, _ = open_central(database_url(args), keys_dir(args))
    print(f"ingested {record.reingest()} previously quarantined record(s)")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    _, record, _ = open_central(database_url(args), keys_dir(args))
    counts, held = record.counts(), record.quarantine()
    print(f"records received {counts['records']}: {counts['responses']} in the reporting tables,"
          f" {sum(held.values())} quarantined, {counts['conflicts']} conflicting copies kept")
    for reason, n in sorted(held.items()):
        print(f"  quarantined {reason}: {n}")
    print(f"batches {counts['batches']}, devices {counts['devices']}")
    return 0


def _directory(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("is empty; give a directory, e.g. /var/lib/patient-voice")
    if Path(text).expanduser().is_file():
        raise argparse.ArgumentTypeError(f"{text} is a file; give the directory that holds it")
    return text


def _database_url(text: str) -> str:
    if not text.startswith(("sqlite:///", "postgresql://", "postgres://")):
        raise argparse.ArgumentTypeError(
            f"{text.split(':')[0]!r} is not a database URL; give sqlite:///FILE or "
            "postgresql://USER@HOST/DB"
        )
    return text


def _global_options(p: argparse.ArgumentParser, top: bool) -> None:
    p.add_argument(
        "--data-dir",
        type=_directory,
        metavar="DIR",
        default=default_or_suppress(top, os.environ.get("KIOSK_CENTRAL_DATA", "central-data")),
        help="where the service keeps its files (default: $KIOSK_CENTRAL_DATA, else "
        "./central-data)",
    )
    p.add_argument(
        "--database-url",
        type=_database_url,
        metavar="URL",
        default=default_or_suppress(top, None),
        help="sqlite:///FILE or postgresql://... (default: SQLite in --data-dir)",
    )
    p.add_argument(
        "--keys-dir",
        type=_directory,
        metavar="DIR",
        default=default_or_suppress(top, None),
        help="where the key files are (default: DATA_DIR/keys)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk-central", description="Patient Voice central record"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser("keygen", help="create the responses and contacts key pairs")
    p.add_argument("--rotate-responses", action="store_true",
                   help="retire the responses key (kept for older records) and make a new one")
    p.set_defaults(run=cmd_keygen)
    p = sub.add_parser("serve", help="run the service")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8470)
    p.add_argument("--ssl-certfile")
    p.add_argument("--ssl-keyfile")
    p.add_argument("--log-level", default="info")
    p.add_argument("--keep-alive", type=float, default=75.0, help="idle keep-alive seconds")
    p.add_argument("--workers", type=int, default=1,
                   help="service processes (several need one shared database; PostgreSQL scales)")
    p.add_argument("--bench", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(run=cmd_serve)
    p = sub.add_parser("enrol", help="print a one-time enrolment code")
    p.add_argument("--location", required=True)
    p.add_argument("--site", required=True)
    p.add_argument("--name", help='the location\'s name as staff say it, e.g. "Ward 4"')
    p.add_argument(
        "--ttl", type=float, default=DEFAULT_CODE_TTL / 60, help="minutes the code stays valid"
    )
    p.set_defaults(run=cmd_enrol)
    p = sub.add_parser("devices", help="list kiosks and their health")
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--silent-hours", type=float, default=24.0, help="flag kiosks not seen for this long"
    )
    p.set_defaults(run=cmd_devices)
    p = sub.add_parser("revoke", help="revoke a kiosk's token")
    p.add_argument("device")
    p.set_defaults(run=cmd_revoke)
    p = sub.add_parser("content", help="publish content to kiosks")
    csub = p.add_subparsers(dest="action", required=True)
    p = csub.add_parser("set", help="validate and publish one content item")
    p.add_argument("--location", required=True, help="a location code, or '*' for every location")
    p.add_argument("--survey")
    p.add_argument("--settings")
    p.add_argument("--yswh", help='"You said, we heard" items (JSON list)')
    p.set_defaults(run=cmd_content)
    sub.add_parser("reingest", help="retry quarantined records").set_defaults(run=cmd_reingest)
    sub.add_parser("stats", help="counts: stored, quarantined by reason, conflicts").set_defaults(
        run=cmd_stats
    )
    from central.returns_cli import add_commands as add_report_commands

    add_report_commands(sub)
    from central.web.cli import add_commands as add_staff_commands

    add_staff_commands(sub)
    # before or after the command, as people type them: `kiosk-central devices --data-dir D`
    share_global_options(parser, _global_options)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        make_private(args)
        return int(args.run(args) or 0)
    except PatientVoiceError as exc:
        print(f"kiosk-central {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
