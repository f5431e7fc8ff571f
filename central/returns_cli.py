"""`kiosk-central fft-return` and `kiosk-central fft-trends`: thin clients of central.returns
and central.trends. ``central.cli`` calls ``add_commands(subparsers)`` to register them.

    kiosk-central fft-return --month 2026-11 [--settings FILE] [--org-code REN --org-name ...
                  --parent-code ... --parent-name ...] [--eligible CSV] [--out FILE] [--public]
    kiosk-central fft-trends --from 2026-01 --to 2026-11 [--period week|month]
                  [--location L] [--public]

Domain errors are raised as PatientVoiceError; central.cli's main turns them into one sentence.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path
from typing import Any

from central.db import Database
from central.fft import Month, ReportError, whole_percent
from central.returns import (
    build_return,
    default_name,
    load_settings,
    summary_csv,
    trust_csv,
    ward_csv,
    write_return,
)
from central.trends import TrendReport, trend_report


def add_commands(subparsers: Any) -> None:
    p = subparsers.add_parser("fft-return", help="the FFT monthly return to NHS England (CSV)")
    p.add_argument("--month", required=True, help="the month, e.g. 2026-11")
    _settings_args(p)
    p.add_argument("--org-code", help="trust ODS code, e.g. REN (overrides the settings file)")
    p.add_argument("--org-name")
    p.add_argument("--parent-code", help="the ICB's code")
    p.add_argument("--parent-name", help="the ICB's name")
    p.add_argument(
        "--out",
        help="write the ward CSV here, with _trust.csv (and _summary.csv) beside it;"
        " default: print the ward CSV",
    )
    p.add_argument("--eligible", help="CSV 'Location,Total Eligible' for the month (from the PAS)")
    p.add_argument(
        "--public", action="store_true", help="suppress counts under 5 (for outside the team)"
    )
    p.set_defaults(run=cmd_fft_return)
    p = subparsers.add_parser("fft-trends", help="%% positive by week or month, per location")
    p.add_argument("--from", dest="start", required=True, help="first month, e.g. 2026-01")
    p.add_argument("--to", dest="end", required=True, help="last month, e.g. 2026-11")
    p.add_argument("--period", choices=("week", "month"), default="month")
    p.add_argument("--location", help="only this location (default: all, and trust-wide)")
    p.add_argument(
        "--breakdown-month", help="month of the language/who/equality tables (default: --to)"
    )
    _settings_args(p)
    p.add_argument("--public", action="store_true", help="hide figures from under 5 responses")
    p.set_defaults(run=cmd_fft_trends)


def _settings_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--settings",
        help="report settings TOML (names, specialties, collection mode);"
        " default: DATA_DIR/reports.toml if it exists",
    )


def _open(args: argparse.Namespace) -> Database:
    from central.cli import database_url  # here, not at the top: central.cli imports us

    db = Database.open(database_url(args))
    db.migrate()
    return db


def _settings_path(args: argparse.Namespace) -> Path | None:
    if args.settings:
        path = Path(args.settings)
        if not path.exists():
            raise ReportError(f"settings file {path} does not exist")
        return path
    default = Path(args.data_dir) / "reports.toml"
    return default if default.exists() else None


def cmd_fft_return(args: argparse.Namespace) -> int:
    month = Month.parse(args.month)
    settings = load_settings(_settings_path(args)).with_org(
        org_code=args.org_code,
        org_name=args.org_name,
        parent_code=args.parent_code,
        parent_name=args.parent_name,
    )
    missing = [name for name in ("org_code", "org_name") if not getattr(settings, name)]
    if missing:
        print(
            f"warning: {' and '.join(missing)} not set: the return's Org columns will be blank"
            " (give --org-code/--org-name or set them in [trust] of the settings file)",
            file=sys.stderr,
        )
    eligible = load_eligible(Path(args.eligible)) if args.eligible else None
    db = _open(args)
    try:
        ret = build_return(db, month, settings, eligible)
    finally:
        db.close()
    unused = sorted(set(eligible or {}) - {row.location for row in ret.returned})
    if unused:
        print(f"warning: no counted responses this month for {', '.join(unused)}", file=sys.stderr)
    if args.out:
        for path in write_return(ret, Path(args.out), public=args.public):
            print(f"wrote {path}")
    else:
        sys.stdout.write(ward_csv(ret, public=args.public))
        sys.stdout.write("\n" + trust_csv(ret, public=args.public))
        if not args.public:
            sys.stdout.write("\n" + summary_csv(ret))
    t = ret.trust
    print(
        f"{default_name(ret)}: {t.total} responses counted, {whole_percent(t.pct_positive)}"
        f" positive, {whole_percent(t.pct_negative)} negative"
        f"{' (public: counts under 5 suppressed)' if args.public else ''}",
        file=sys.stderr,
    )
    return 0


def load_eligible(path: Path) -> dict[str, int]:
    """``Location,Total Eligible`` CSV (one row per location code) for the month."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ReportError(f"cannot read the eligible numbers {path}: {exc}") from exc
    if not rows or [h.strip() for h in rows[0]] != ["Location", "Total Eligible"]:
        raise ReportError(f"{path}: the first line must be the header Location,Total Eligible")
    out: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        location, value = (row + ["", ""])[:2]
        if len(row) > 2 or not location.strip() or not value.strip().isdigit():
            raise ReportError(
                f"{path} line {number}: give a location code and a whole number, e.g. ward-3,120"
            )
        if location.strip() in out:
            raise ReportError(f"{path} line {number}: location {location.strip()!r} is repeated")
        out[location.strip()] = int(value)
    return out


def cmd_fft_trends(args: argparse.Namespace) -> int:
    first, last = Month.parse(args.start), Month.parse(args.end)
    if last < first:
        raise ReportError(f"--to {last} is before --from {first}: give the earlier month first")
    settings = load_settings(_settings_path(args))
    breakdown = Month.parse(args.breakdown_month) if args.breakdown_month else None
    db = _open(args)
    try:
        report = trend_report(
            db, first, last, period=args.period, tz=settings.timezone, public=args.public,
            hide_zero=settings.hide_zero, breakdown_month=breakdown,
        )  # fmt: skip
    finally:
        db.close()
    sys.stdout.write(trends_csv(report, public=args.public, location=args.location))
    return 0


def trends_csv(report: TrendReport, *, public: bool, location: str | None = None) -> str:
    """The trend, then each breakdown, as CSV blocks separated by a blank line."""
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow(["Location", "Period", "Responses", "% positive", "% negative"])
    for p in report.points:
        if location in (None, p.location):
            out.writerow([p.location, p.label, p.shown_total, p.shown_positive, p.shown_negative])
    for part in (report.languages, report.who, *report.equality):
        out.writerow([])
        out.writerow([part.title, *part.columns, "Total"])
        for loc, cells, total in part.rows(public):
            if location in (None, loc):
                out.writerow([loc, *cells, total])
    return buf.getvalue()
