"""Reporting pages: dashboard, FFT return download, trends (chart + table), comments, public page.

Numbers come from central.fft / central.returns / central.trends (never recomputed here). The
patient experience team sees exact counts; everyone else (ward managers, the public page) sees
counts under 5 suppressed, with secondary suppression, as NHS England publishes them.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from central.fft import (
    CODES,
    LABELS,
    FFTCounts,
    Month,
    ReportError,
    local_midnight,
    suppress,
    whole_percent,
    zone,
)
from central.returns import (
    build_return,
    location_names,
    summary_csv,
    tally_period,
    trust_csv,
    ward_csv,
)
from central.trends import FLAG_PATTERNS, TRUST, counted, trend_report
from central.web.auth import Staff
from central.web.charts import trend_svg
from central.web.http import Web, secure_headers
from central.web.themes import Comment, parse_confirmed, suggest
from kiosk.i18n import load_catalogue

MAX_COMMENTS = 500
CSS = (Path(__file__).parent / "static" / "style.css").read_text(encoding="utf-8")


def this_month(web: Web) -> Month:
    now = dt.datetime.fromtimestamp(web.settings.clock(), zone(web.settings.timezone))
    return Month(now.year, now.month)


def month_arg(web: Web, request: Request, name: str, default: Month) -> tuple[Month, str | None]:
    text = request.query_params.get(name)
    if not text:
        return default, None
    try:
        return Month.parse(text), None
    except ReportError as exc:
        return default, str(exc)


def _fft_by_location(web: Web, start: float, end: float) -> dict[str, FFTCounts]:
    """Counted FFT answers per location, exactly as the monthly return counts them."""
    out: dict[str, FFTCounts] = {}
    for (_site, location), tally in tally_period(web.db, start, end).items():
        out[location] = out.get(location, FFTCounts()) + tally.counts
    return out


def dashboard(web: Web, request: Request, staff: Staff, form: dict) -> Response:
    tz, now = web.settings.timezone, web.settings.clock()
    today = dt.datetime.fromtimestamp(now, zone(tz)).date()
    month = this_month(web)
    day_counts = _fft_by_location(web, local_midnight(today, tz), now + 1)
    month_counts = _fft_by_location(web, *month.bounds(tz))
    names = location_names(web.db)
    locations = sorted(loc for loc in set(names) | set(month_counts) if staff.sees(loc))
    rows = [(loc, names.get(loc, loc), day_counts.get(loc, FFTCounts()),
             month_counts.get(loc, FFTCounts())) for loc in locations]  # fmt: skip
    exact = staff.role == "patient_experience"
    shown = _dashboard_rows(rows, exact)
    return web.render("dashboard.html", staff, title="Dashboard", rows=shown, month=month,
                      today=today, exact=exact)  # fmt: skip


def _dashboard_rows(rows: list[tuple], exact: bool) -> list[dict[str, str]]:
    # Outside the team each column is suppressed (primary and secondary) like a published table.
    days = suppress([[r[2].total] for r in rows], width=1, publish_column_totals=False)
    months = suppress([[r[3].total] for r in rows], width=1, publish_column_totals=False)
    out = []
    for i, (loc, name, day, mon) in enumerate(rows):
        hidden = not exact and months.cells_hidden[i][0]
        out.append({
            "location": loc, "name": name,
            "today": str(day.total) if exact else days.cell(i, 0),
            "month": str(mon.total) if exact else months.cell(i, 0),
            "positive": "" if hidden else whole_percent(mon.pct_positive),
            "negative": "" if hidden else whole_percent(mon.pct_negative),
        })  # fmt: skip
    return out


def returns_page(web: Web, request: Request, staff: Staff, form: dict) -> Response:
    month, error = month_arg(web, request, "month", this_month(web))
    kind = request.query_params.get("file")
    if kind and not error:
        ret = build_return(web.db, month, web.settings.returns)
        makers = {"ward": ward_csv, "trust": trust_csv, "summary": summary_csv}
        if kind in makers:
            stem = f"FFT_{web.settings.returns.org_code or 'ORG'}_{month.fiscal_year}_{month.name}"
            name = stem + ("" if kind == "ward" else f"_{kind}") + ".csv"
            return Response(makers[kind](ret), media_type="text/csv; charset=utf-8",
                            headers=secure_headers({"Content-Disposition":
                                                    f'attachment; filename="{name}"'}))
    errors = {"month": error} if error else {}
    return web.render("returns.html", staff, 400 if error else 200, title="FFT monthly return",
                      month=month, errors=errors)  # fmt: skip


def trends_page(web: Web, request: Request, staff: Staff, form: dict) -> Response:
    last, e1 = month_arg(web, request, "last", this_month(web))
    default_first = Month(last.year - 1, last.month).next()
    first, e2 = month_arg(web, request, "first", default_first)
    period = request.query_params.get("period", "month")
    errors = {k: v for k, v in (("first", e2), ("last", e1)) if v}
    if period not in ("month", "week"):
        errors["period"] = "Choose months or weeks"
        period = "month"
    if last < first:
        errors["first"] = f"The first month {first} must not be after the last month {last}"
        first = last
    public = staff.role != "patient_experience"
    report = trend_report(web.db, first, last, period=period, tz=web.settings.timezone,
                          public=public)  # fmt: skip
    names = location_names(web.db)
    choices = [loc for loc in sorted({p.location for p in report.points} - {TRUST})
               if staff.sees(loc)]  # fmt: skip
    default = TRUST if staff.role == "patient_experience" else (choices or [TRUST])[0]
    chosen = request.query_params.get("location", default)
    if chosen not in choices and not (chosen == TRUST and not public):
        chosen = default
    points = [p for p in report.points if p.location == chosen]
    breakdowns = [_breakdown(b, staff)
                  for b in (report.languages, report.who, *report.equality)]  # fmt: skip
    standalone = request.query_params.get("download") == "html" and not errors
    resp = web.render("trends.html", None if standalone else staff, 400 if errors else 200,
                      title="Trends", standalone=standalone, css=CSS if standalone else "",
                      errors=errors, first=first, last=last, period=period, chosen=chosen,
                      choices=choices, names=names, points=points, trust=TRUST,
                      chart=trend_svg(points, names.get(chosen, chosen)), breakdowns=breakdowns,
                      public=public)  # fmt: skip
    if standalone:
        name = f"patient-voice-trends-{chosen.strip('()')}-{first}-to-{last}.html"
        resp.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


EQUALITY_TITLES = {
    "age": "Equality monitoring: age",
    "sex": "Equality monitoring: sex",
    "gender_same": "Equality monitoring: gender identity same as sex registered at birth",
    "ethnicity": "Equality monitoring: ethnicity (NHS Data Dictionary code)",
    "long_term_condition": "Equality monitoring: long-term condition",
    "condition_reduces_activities": "Equality monitoring: condition reduces day-to-day activities",
}


def _breakdown(b: Any, staff: Staff) -> dict:
    rows = [r for r in b.rows() if r[0] == TRUST or staff.sees(r[0])]
    return {"title": EQUALITY_TITLES.get(b.title, b.title), "columns": b.columns, "rows": rows}


def comments_page(web: Web, request: Request, staff: Staff, form: dict) -> Response:
    month, error = month_arg(web, request, "month", this_month(web))
    names = location_names(web.db)
    choices = sorted(loc for loc in names if staff.sees(loc))
    location = request.query_params.get("location") or ""
    if location and location not in choices:
        location = ""
    sql = (
        "SELECT r.location, r.finished_at, r.fft_code, a.value, r.record_id, a.question_id,"
        " r.language, c.themes, c.sentiment, c.confirmed_by, c.confirmed_at FROM responses r"
        " JOIN answers a ON a.record_id = r.record_id AND a.kind = 'free_text'"
        " LEFT JOIN web_comment_themes c ON c.record_id = a.record_id"
        " AND c.question_id = a.question_id WHERE r.finished_at >= ? AND"
        f" r.finished_at < ? AND {counted('r.flags')} AND a.value IS NOT NULL"
    )
    params: list[Any] = [*month.bounds(web.settings.timezone), *FLAG_PATTERNS]
    wanted = [location] if location else choices
    if staff.role == "ward_manager" or location:
        if not wanted:
            wanted = ["(none)"]
        sql += f" AND r.location IN ({', '.join('?' * len(wanted))})"
        params += wanted
    with web.db.read() as tx:
        rows = tx.all(sql + " ORDER BY r.finished_at DESC LIMIT ?", (*params, MAX_COMMENTS + 1))
    more, rows = len(rows) > MAX_COMMENTS, [row for row in rows[:MAX_COMMENTS] if row[3]]
    suggested = suggest([(row[3], row[6]) for row in rows])
    comments = [Comment(loc, at, LABELS.get(code, "No answer") if code else "No answer", text,
                        record_id, question_id, lang, hint, parse_confirmed(*confirmed))
                for (loc, at, code, text, record_id, question_id, lang, *confirmed), hint
                in zip(rows, suggested, strict=True)]  # fmt: skip
    return web.render("comments.html", staff, 400 if error else 200, title="Comments",
                      errors={"month": error} if error else {}, month=month, names=names,
                      choices=choices, location=location, comments=comments,
                      more=more, codes=CODES)  # fmt: skip


@lru_cache(maxsize=32)
def kiosk_text(lang: str) -> Any:
    """The kiosk's own translations of "You said, we heard" (locales/), English if none."""
    catalogue = load_catalogue(lang) if lang != "en" else None
    return catalogue.gettext if catalogue is not None else (lambda text: text)


def public_page(web: Web, request: Request) -> Response:
    location = request.path_params["location"]
    lang = request.query_params.get("lang", "en")
    if lang not in web.settings.languages:
        lang = "en"
    names = location_names(web.db)
    items = web.yswh.published_for(location)
    month = this_month(web)
    report = trend_report(web.db, month, month, tz=web.settings.timezone, public=True)
    point = next((p for p in report.points if p.location == location), None)
    status = 200 if location in names or items or point is not None else 404
    return web.render("public.html", None, status, title=names.get(location, location),
                      items=items, lang=lang, point=point, month=month, _=kiosk_text(lang),
                      languages=web.settings.languages, location=location)  # fmt: skip
