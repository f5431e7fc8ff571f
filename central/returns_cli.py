"""`kiosk-central fft-return` and `kiosk-central fft-trends`: thin clients of central.returns
and central.trends. ``central.cli`` calls ``add_commands(subparsers)`` to register them.

    kiosk-central fft-return --month 2026-11 [--settings FILE] [--org-code REN --org-name ...
                  --parent-code ... --parent-name ...] [--out FILE] [--public]
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
    p.add_argument(
        "--public", action="store_true", help="suppress counts under 5 (for outside the team)"
    )
    p.set_defaults(run=cmd_fft_return)
    p = subparsers.add_parser("fft-trends", help="% positive by week or month, per location")
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
    db = _open(args)
    try:
        ret = build_return(db, month, settings)
    finally:
        db.close()
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
