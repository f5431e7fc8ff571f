"""The Friends and Family Test monthly return to NHS England, from the central record.

One row per site and ward (location), with its specialty where the settings give one, in the
exact column layout of NHS England's ward-level extract; a trust-level row adds the collection
modes. Which responses count:

* counted: every response with an FFT answer, including abandoned ones (the answer was given);
* excluded, and counted separately in the companion summary: ``test`` responses, and those the
  kiosk flagged as possible ballot-stuffing (``burst`` or ``fast``). A response with both
  ``test`` and ``burst`` is counted once, as test;
* not in the return: responses without an FFT answer (also in the summary).

A response belongs to the month in which it was finished, in the trust's local time.
Settings (org codes, site and ward names, specialties, collection mode) come from a TOML file:
see ``docs/reports.md``.
"""

from __future__ import annotations

import csv
import io
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from central.db import Database
from central.fft import (
    CODES,
    DEFAULT_TIMEZONE,
    FFTCounts,
    Month,
    ReportError,
    SuppressedTable,
    suppress,
    zone,
)

WARD_HEADERS = [
    "Parent org code", "Parent name", "Org code", "Org name", "Site code", "Site name",
    "Ward name", "1 Very Good SUM", "2 Good SUM", "3 Neither Good nor Poor SUM", "4 Poor SUM",
    "5 Very Poor SUM", "6 Dont Know SUM", "Total Responses", "Total Eligible SUM",
    "Spec 1", "Spec 2",
]  # fmt: skip
MODES = {
    "sms": "Mode SMS",
    "electronic_discharge": "Mode Electronic Discharge",
    "electronic_home": "Mode Electronic Home",
    "paper_discharge": "Mode Paper Discharge",
    "paper_home": "Mode Paper Home",
    "telephone": "Mode Telephone",
    "online": "Mode Online",
    "other": "Mode Other",
}
TRUST_HEADERS = WARD_HEADERS[:4] + WARD_HEADERS[7:15] + list(MODES.values())
SUMMARY_HEADERS = [
    "Fiscal year", "Month", "Site code", "Ward name", "Counted in return",
    "Of which abandoned", "Excluded test", "Excluded burst or fast", "No FFT answer",
]  # fmt: skip

# Which kiosk flags (kiosk.record.FLAGS) take a response out of the return.
TEST_FLAG = "test"
SUSPECT_FLAGS = frozenset({"burst", "fast"})


# ---------------------------------------------------------------- settings


@dataclass(frozen=True)
class WardSettings:
    name: str | None = None
    spec1: str = ""
    spec2: str = ""


@dataclass(frozen=True)
class ReturnSettings:
    org_code: str = ""
    org_name: str = ""
    parent_code: str = ""
    parent_name: str = ""
    # Domain notes: a ward kiosk is "electronic" or "other" -- to be confirmed with NHS England,
    # so it is a setting. "other" until the trust has confirmed.
    collection_mode: str = "other"
    timezone: str = DEFAULT_TIMEZONE
    hide_zero: bool = False
    site_names: dict[str, str] = field(default_factory=dict)
    site_codes: dict[str, str] = field(default_factory=dict)  # enrolment site -> ODS site code
    wards: dict[str, WardSettings] = field(default_factory=dict)

    def with_org(self, **given: str | None) -> ReturnSettings:
        """Command-line values override the file's."""
        return replace(self, **{k: v for k, v in given.items() if v is not None})


_TRUST_KEYS = {"org_code", "org_name", "parent_code", "parent_name", "collection_mode",
               "timezone", "hide_zero"}  # fmt: skip


def load_settings(path: Path | None) -> ReturnSettings:
    """Read the TOML settings; every problem is listed with where it is and what to do."""
    if path is None:
        return ReturnSettings()
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ReportError(f"cannot read the report settings {path}: {exc}") from exc
    problems: list[str] = []
    settings = _parse_settings(data, problems)
    if problems:
        raise ReportError(f"{path}: " + "; ".join(problems))
    return settings


def _parse_settings(data: dict[str, Any], problems: list[str]) -> ReturnSettings:
    problems += [f"[{k}] is not a known section (use trust, sites, wards)"
                 for k in data if k not in {"trust", "sites", "wards"}]  # fmt: skip
    trust = _table(data, "trust", problems)
    problems += [f"trust.{k} is not a known setting" for k in trust if k not in _TRUST_KEYS]
    values = {k: v for k, v in trust.items() if k in _TRUST_KEYS}
    for key, value in values.items():
        wanted = bool if key == "hide_zero" else str
        if not isinstance(value, wanted):
            problems.append(f"trust.{key} must be {'true or false' if wanted is bool else 'text'}")
    mode = values.get("collection_mode", "other")
    if mode not in MODES:
        problems.append(f"trust.collection_mode must be one of {', '.join(MODES)}, not {mode!r}")
    if isinstance(values.get("timezone"), str):
        try:
            zone(values["timezone"])
        except ReportError as exc:
            problems.append(f"trust.timezone: {exc}")
    site_names, site_codes = _sites(_table(data, "sites", problems), problems)
    wards = _wards(_table(data, "wards", problems), problems)
    if problems:
        return ReturnSettings()
    return ReturnSettings(**values, site_names=site_names, site_codes=site_codes, wards=wards)


def _table(data: dict, key: str, problems: list[str]) -> dict:
    value = data.get(key, {})
    if not isinstance(value, dict):
        problems.append(f"[{key}] must be a table")
        return {}
    return value


def _text_fields(where: str, item: Any, allowed: set[str], problems: list[str]) -> dict[str, str]:
    if not isinstance(item, dict):
        problems.append(f"[{where}] must be a table")
        return {}
    for key, value in item.items():
        if key not in allowed:
            problems.append(
                f"{where}.{key} is not a known setting (use {', '.join(sorted(allowed))})"
            )
        elif not isinstance(value, str):
            problems.append(f"{where}.{key} must be text")
    return {k: v for k, v in item.items() if k in allowed and isinstance(v, str)}


def _sites(sites: dict, problems: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    names, codes = {}, {}
    for site, item in sites.items():
        fields = _text_fields(f"sites.{site}", item, {"name", "code"}, problems)
        if "name" in fields:
            names[site] = fields["name"]
        if "code" in fields:
            codes[site] = fields["code"]
    return names, codes


def _wards(wards: dict, problems: list[str]) -> dict[str, WardSettings]:
    out = {}
    for location, item in wards.items():
        fields = _text_fields(f"wards.{location}", item, {"name", "spec1", "spec2"}, problems)
        out[location] = WardSettings(**fields)
    return out


# ---------------------------------------------------------------- counting


@dataclass
class Tally:
    """What happened to one ward's responses in the month."""

    counts: FFTCounts = FFTCounts()
    abandoned: int = 0  # counted responses that were abandoned after the FFT answer
    test: int = 0
    suspect: int = 0
    no_fft: int = 0

    def add(self, flags: frozenset[str], fft_code: int | None, n: int) -> None:
        if TEST_FLAG in flags:
            self.test += n
        elif flags & SUSPECT_FLAGS:
            self.suspect += n
        elif fft_code is None:
            self.no_fft += n
        else:
            self.counts += FFTCounts.of({int(fft_code): n})
            self.abandoned += n if "abandoned" in flags else 0


def parse_flags(text: str | None) -> frozenset[str]:
    return frozenset(f for f in (text or "").split(",") if f)


def tally_period(db: Database, start: float, end: float) -> dict[tuple[str, str], Tally]:
    """Per (site, location): the responses finished in [start, end), classified.

    One grouped scan of ``responses`` over a time range; few groups (wards x flag sets x 7).
    """
    tallies: dict[tuple[str, str], Tally] = {}
    with db.read() as tx:
        rows = tx.all(
            "SELECT site, location, flags, fft_code, COUNT(*) FROM responses"
            " WHERE finished_at >= ? AND finished_at < ?"
            " GROUP BY site, location, flags, fft_code",
            (start, end),
        )
    for site, location, flags, code, n in rows:
        tallies.setdefault((site, location), Tally()).add(parse_flags(flags), code, int(n))
    return tallies


def location_names(db: Database) -> dict[str, str]:
    """Ward names as IT enrolled the kiosks (the most recent enrolment wins)."""
    with db.read() as tx:
        rows = tx.all("SELECT location, location_name FROM devices ORDER BY enrolled_at")
    return {location: name for location, name in rows}


# ---------------------------------------------------------------- the return


@dataclass(frozen=True)
class ReturnRow:
    site: str  # as enrolled
    location: str
    site_code: str
    site_name: str
    ward_name: str
    spec1: str
    spec2: str
    tally: Tally


@dataclass(frozen=True)
class MonthlyReturn:
    month: Month
    settings: ReturnSettings
    rows: tuple[ReturnRow, ...]
    # Location -> patients eligible that month (from the PAS; the kiosk cannot know it).
    eligible: dict[str, int] = field(default_factory=dict)

    def eligible_of(self, row: ReturnRow, public: bool) -> str:
        # Only in the team's copy (the one submitted): not suppressed, so never published.
        return (
            "" if public or row.location not in self.eligible else str(self.eligible[row.location])
        )

    def eligible_total(self, public: bool) -> str:
        known = [self.eligible.get(row.location) for row in self.returned]
        return "" if public or not known or None in known else str(sum(known))  # type: ignore[arg-type]

    @property
    def returned(self) -> tuple[ReturnRow, ...]:
        """Rows for NHS England: wards with at least one counted response. A location with only
        test or flagged responses (e.g. a kiosk being set up) appears in the summary only."""
        return tuple(row for row in self.rows if row.tally.counts.total)

    @property
    def trust(self) -> FFTCounts:
        total = FFTCounts()
        for row in self.rows:
            total += row.tally.counts
        return total

    def suppressed(self) -> SuppressedTable:
        """Wards x codes 1-6 with their totals; the trust row gives the column totals."""
        return suppress(
            [row.tally.counts.counts for row in self.returned],
            hide_zero=self.settings.hide_zero,
            width=len(CODES),
        )


def build_return(
    db: Database, month: Month, settings: ReturnSettings, eligible: dict[str, int] | None = None
) -> MonthlyReturn:
    start, end = month.bounds(settings.timezone)
    tallies = tally_period(db, start, end)
    names = location_names(db)
    rows = []
    for (site, location), tally in tallies.items():
        ward = settings.wards.get(location, WardSettings())
        rows.append(
            ReturnRow(
                site=site,
                location=location,
                site_code=settings.site_codes.get(site, site),
                site_name=settings.site_names.get(site, site),
                ward_name=ward.name or names.get(location, location),
                spec1=ward.spec1,
                spec2=ward.spec2,
                tally=tally,
            )
        )
    rows.sort(key=lambda r: (r.site_code, r.ward_name, r.location))
    return MonthlyReturn(month, settings, tuple(rows), dict(eligible or {}))


# ---------------------------------------------------------------- CSV files


def _csv(header: list[str], rows: list[list[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def _org(settings: ReturnSettings) -> list[str]:
    s = settings
    return [s.parent_code, s.parent_name, s.org_code, s.org_name]


def ward_csv(ret: MonthlyReturn, *, public: bool = False) -> str:
    """The ward-level return; Total Eligible only where the team gave it (``load_eligible``)."""
    table = ret.suppressed() if public else None
    out = []
    for i, row in enumerate(ret.returned):
        counts = row.tally.counts
        if table is None:
            cells = [str(counts[c]) for c in CODES] + [str(counts.total)]
        else:
            cells = [table.cell(i, c - 1) for c in CODES] + [table.row_total(i)]
        out.append(
            _org(ret.settings)
            + [row.site_code, row.site_name, row.ward_name]
            + cells
            + [ret.eligible_of(row, public), row.spec1, row.spec2]
        )
    return _csv(WARD_HEADERS, out)


def trust_csv(ret: MonthlyReturn, *, public: bool = False) -> str:
    """One trust row with the collection modes: every kiosk response is the configured mode."""
    trust = ret.trust
    if public:
        table = ret.suppressed()
        cells = [table.col_total(c - 1) for c in CODES]
        total = table.grand_total()
    else:
        cells, total = [str(trust[c]) for c in CODES], str(trust.total)
    modes = [total if key == ret.settings.collection_mode else "0" for key in MODES]
    eligible = ret.eligible_total(public)
    return _csv(TRUST_HEADERS, [_org(ret.settings) + cells + [total, eligible] + modes])


def summary_csv(ret: MonthlyReturn) -> str:
    """What was counted and what was left out, per ward: for the patient experience team only
    (it is never suppressed, so it is not written for a public return)."""
    matrix = [[r.tally.counts.total, r.tally.abandoned, r.tally.test, r.tally.suspect,
               r.tally.no_fft] for r in ret.rows]  # fmt: skip
    period = [ret.month.fiscal_year, ret.month.name]
    out = [period + [r.site_code, r.ward_name] + m for r, m in zip(ret.rows, matrix, strict=True)]
    out.append(period + ["", "Trust total"] + [sum(m[j] for m in matrix) for j in range(5)])
    return _csv(SUMMARY_HEADERS, out)


def default_name(ret: MonthlyReturn) -> str:
    org = ret.settings.org_code or "ORG"
    return f"FFT_{org}_{ret.month.fiscal_year}_{ret.month.name}"


def write_return(ret: MonthlyReturn, out: Path, *, public: bool = False) -> list[Path]:
    """Write the ward return to ``out`` and, beside it, the trust row and (not when public)
    the summary of what was counted and excluded."""
    out = Path(out)
    stem = out.with_suffix("")
    paths = [out, Path(f"{stem}_trust.csv")]
    texts = [ward_csv(ret, public=public), trust_csv(ret, public=public)]
    if not public:
        paths.append(Path(f"{stem}_summary.csv"))
        texts.append(summary_csv(ret))
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        for path, text in zip(paths, texts, strict=True):
            path.write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        raise ReportError(f"cannot write the return to {out}: {exc}") from exc
    return paths
