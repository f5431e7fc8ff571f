"""The monthly return from a real central record (SQLite, and PostgreSQL when available),
filled with sealed records ingested by the real service code."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from pathlib import Path

import pytest

from central.cli import build_parser
from central.fft import Month, ReportError, SuppressedTable
from central.returns import (
    build_return,
    load_settings,
    summary_csv,
    trust_csv,
    ward_csv,
    write_return,
)
from tests.reports.conftest import Central, at, run_cli
from tests.reports.disclosure import recoverable

# Typed out from domain.md on purpose (not imported): the file must match NHS England's list.
NHS_WARD_HEADERS = [
    "Parent org code", "Parent name", "Org code", "Org name", "Site code", "Site name",
    "Ward name", "1 Very Good SUM", "2 Good SUM", "3 Neither Good nor Poor SUM", "4 Poor SUM",
    "5 Very Poor SUM", "6 Dont Know SUM", "Total Responses", "Total Eligible SUM", "Spec 1",
    "Spec 2",
]  # fmt: skip
NHS_MODES = [
    "Mode SMS", "Mode Electronic Discharge", "Mode Electronic Home", "Mode Paper Discharge",
    "Mode Paper Home", "Mode Telephone", "Mode Online", "Mode Other",
]  # fmt: skip
NOV = Month(2026, 11)
WORKED = {1: 171, 2: 43, 3: 10, 4: 9, 5: 9, 6: 2}


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def fill_worked_example(c: Central, location: str = "ward-3") -> None:
    for code, n in WORKED.items():
        c.add(location, fft=code, when=at(2026, 11, 10), n=n)


def test_worked_example_through_ingest(central: Central) -> None:
    fill_worked_example(central)
    ret = build_return(central.db, NOV, load_settings(None).with_org(org_code="REN"))
    (row,) = ret.rows
    assert row.tally.counts.counts == (171, 43, 10, 9, 9, 2)
    assert ret.trust.total == 244 and round(ret.trust.pct_positive) == 88
    (line,) = rows_of(ward_csv(ret))
    assert line["1 Very Good SUM"] == "171" and line["Total Responses"] == "244"
    assert line["Org code"] == "REN" and line["Ward name"] == "Ward-3"  # the enrolled name


def test_headers_are_exactly_nhs_englands(central: Central) -> None:
    central.add("ward-3", fft=1, when=at(2026, 11, 3))
    ret = build_return(central.db, NOV, load_settings(None))
    assert next(csv.reader(io.StringIO(ward_csv(ret)))) == NHS_WARD_HEADERS
    trust_header = next(csv.reader(io.StringIO(trust_csv(ret))))
    assert trust_header == NHS_WARD_HEADERS[:4] + NHS_WARD_HEADERS[7:15] + NHS_MODES


def test_test_and_ballot_stuffing_excluded_and_counted_apart(central: Central) -> None:
    c = central
    c.add("ward-3", fft=1, when=at(2026, 11, 5), n=6)
    c.add("ward-3", fft=2, when=at(2026, 11, 5), flags={"abandoned"}, n=2)  # counts
    c.add("ward-3", fft=None, when=at(2026, 11, 5), flags={"abandoned"})  # no FFT answer
    c.add("ward-3", fft=5, when=at(2026, 11, 5), flags={"test"}, n=3)
    c.add("ward-3", fft=5, when=at(2026, 11, 5), flags={"test", "burst"})  # test wins
    c.add("ward-3", fft=1, when=at(2026, 11, 5), flags={"burst"}, n=4)
    c.add("ward-3", fft=1, when=at(2026, 11, 5), flags={"fast"})
    ret = build_return(c.db, NOV, load_settings(None))
    (line,) = rows_of(ward_csv(ret))
    assert (line["1 Very Good SUM"], line["2 Good SUM"], line["5 Very Poor SUM"]) == ("6", "2", "0")
    assert line["Total Responses"] == "8"
    summary = rows_of(summary_csv(ret))
    assert summary[0]["Counted in return"] == "8" and summary[0]["Of which abandoned"] == "2"
    assert summary[0]["Excluded test"] == "4" and summary[0]["Excluded burst or fast"] == "5"
    assert summary[0]["No FFT answer"] == "1"
    assert summary[-1]["Ward name"] == "Trust total"
    assert (summary[0]["Fiscal year"], summary[0]["Month"]) == ("2026_27", "NOVEMBER")
    # A location with only test responses is in the summary but not in NHS England's file.
    c.add("it-lab", fft=1, when=at(2026, 11, 5), flags={"test"}, n=2)
    ret = build_return(c.db, NOV, load_settings(None))
    assert [r["Ward name"] for r in rows_of(ward_csv(ret))] == ["Ward-3"]
    assert [r["Ward name"] for r in rows_of(summary_csv(ret))] == [
        "It-Lab",
        "Ward-3",
        "Trust total",
    ]


def test_month_is_taken_in_uk_local_time(central: Central) -> None:
    # 23:30 UTC on 31 July is 00:30 BST on 1 August: an August response.
    central.add("ward-3", fft=1, when=at(2026, 7, 31, 23, 30))
    central.add("ward-3", fft=2, when=at(2026, 7, 31, 22, 30))  # 23:30 BST, still July
    august = build_return(central.db, Month(2026, 8), load_settings(None))
    july = build_return(central.db, Month(2026, 7), load_settings(None))
    assert august.trust.counts == (1, 0, 0, 0, 0, 0)
    assert july.trust.counts == (0, 1, 0, 0, 0, 0)


def test_settings_name_sites_wards_specialties_and_mode(central: Central, tmp_path: Path) -> None:
    central.add("ward-3", fft=1, when=at(2026, 11, 2), n=5)
    central.add("opd", fft=3, when=at(2026, 11, 2), n=7, site="REN")
    settings = tmp_path / "reports.toml"
    settings.write_text(
        '[trust]\norg_code = "REN"\norg_name = "The Clatterbridge Cancer Centre NHS FT"\n'
        'parent_code = "QYG"\nparent_name = "NHS Cheshire and Merseyside ICB"\n'
        'collection_mode = "electronic_discharge"\n'
        '[sites.REN]\nname = "Clatterbridge Cancer Centre - Wirral"\ncode = "REN20"\n'
        '[wards.ward-3]\nname = "Ward 3 (Oncology)"\nspec1 = "800 - CLINICAL ONCOLOGY"\n'
    )
    ret = build_return(central.db, NOV, load_settings(settings))
    lines = {r["Ward name"]: r for r in rows_of(ward_csv(ret))}
    ward = lines["Ward 3 (Oncology)"]
    assert (ward["Site code"], ward["Spec 1"], ward["Spec 2"]) == (
        "REN20",
        "800 - CLINICAL ONCOLOGY",
        "",
    )
    assert ward["Site name"] == "Clatterbridge Cancer Centre - Wirral"
    assert ward["Parent org code"] == "QYG" and ward["Total Eligible SUM"] == ""
    (trust,) = rows_of(trust_csv(ret))
    assert trust["Mode Electronic Discharge"] == "12" and trust["Mode Other"] == "0"
    assert trust["Total Responses"] == "12" and trust["3 Neither Good nor Poor SUM"] == "7"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[trust]\ncollection_mode = "kiosk"\n', "collection_mode must be one of sms"),
        ('[trust]\norg_cod = "REN"\n', "trust.org_cod is not a known setting"),
        ("[wards.ward-3]\nspec1 = 800\n", "wards.ward-3.spec1 must be text"),
        ('[trust]\ntimezone = "Mars/Olympus"\n', "unknown time zone"),
        ("[trust\n", "cannot read the report settings"),
        ("[wards]\nward-3 = 1\n", "[wards.ward-3] must be a table"),
    ],
)
def test_bad_settings_say_what_and_where(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "reports.toml"
    path.write_text(text)
    with pytest.raises(ReportError) as info:
        load_settings(path)
    assert expected in str(info.value) and str(path) in str(info.value)


def _published_table(ward_text: str, trust_text: str) -> SuppressedTable:
    """Rebuild what a reader of the two public files knows, as a table with hidden cells."""
    keys = NHS_WARD_HEADERS[7:13]

    def num(v: str) -> tuple[int, bool]:
        return (0, True) if v == "*" else (int(v), False)

    wards = [[num(r[k]) for k in keys] for r in rows_of(ward_text)]
    totals = [num(r["Total Responses"]) for r in rows_of(ward_text)]
    (trust,) = rows_of(trust_text)
    cols = [num(trust[k]) for k in keys]
    grand = num(trust["Total Responses"])
    return SuppressedTable(
        cells=tuple(tuple(v for v, _ in row) for row in wards),
        row_totals=tuple(v for v, _ in totals),
        col_totals=tuple(v for v, _ in cols),
        grand=grand[0],
        cells_hidden=tuple(tuple(h for _, h in row) for row in wards),
        row_totals_hidden=tuple(h for _, h in totals),
        col_totals_hidden=tuple(h for _, h in cols),
        grand_hidden=grand[1],
    )


def test_public_return_hides_small_counts_beyond_recovery(central: Central) -> None:
    fill_worked_example(central)
    central.add("ward-4", fft=1, when=at(2026, 11, 9), n=20)
    central.add("ward-4", fft=4, when=at(2026, 11, 9), n=3)
    central.add("day-unit", fft=2, when=at(2026, 11, 9), n=2)
    ret = build_return(central.db, NOV, load_settings(None))
    ward_text, trust_text = ward_csv(ret, public=True), trust_csv(ret, public=True)
    for line in rows_of(ward_text):
        for key in NHS_WARD_HEADERS[7:14]:
            assert line[key] == "*" or line[key] == "0" or int(line[key]) >= 5, line
    table = _published_table(ward_text, trust_text)
    assert sum(map(sum, table.cells_hidden)) >= 6
    assert recoverable(table) == []
    # The team's own copy is not suppressed.
    assert "*" not in ward_csv(ret) and "*" not in trust_csv(ret)
    # hide_zero: zeros are hidden too (the literal "below 5" reading), still unrecoverable.
    strict = replace(ret, settings=replace(ret.settings, hide_zero=True))
    strict_text = ward_csv(strict, public=True)
    assert all(line[k] != "0" for line in rows_of(strict_text) for k in NHS_WARD_HEADERS[7:14])
    assert recoverable(_published_table(strict_text, trust_csv(strict, public=True))) == []


def test_cli_writes_the_three_files(central: Central, tmp_path: Path, db_url: str) -> None:
    fill_worked_example(central)
    parser = build_parser()  # kiosk-central's own parser, report commands wired in
    out = tmp_path / "out" / "return.csv"
    argv = ["--database-url", db_url, "--data-dir", str(tmp_path), "fft-return",
            "--month", "2026-11", "--org-code", "REN", "--out", str(out)]  # fmt: skip
    args = parser.parse_args(argv)
    assert args.run(args) == 0
    assert rows_of(out.read_text())[0]["Org code"] == "REN"
    assert (
        rows_of((tmp_path / "out" / "return_trust.csv").read_text())[0]["Total Responses"] == "244"
    )
    assert (tmp_path / "out" / "return_summary.csv").exists()
    args = parser.parse_args([*argv[:-1], str(tmp_path / "pub.csv"), "--public"])
    assert args.run(args) == 0
    assert not (tmp_path / "pub_summary.csv").exists()  # the summary stays with the team
    args = parser.parse_args([*argv[:5], "--month", "2026-13"])
    with pytest.raises(ReportError, match="2026-11"):
        args.run(args)


def test_empty_month_gives_headers_and_zero_trust_row(central: Central, tmp_path: Path) -> None:
    ret = build_return(central.db, NOV, load_settings(None))
    assert rows_of(ward_csv(ret)) == []
    paths = write_return(ret, tmp_path / "r.csv", public=True)
    assert [p.name for p in paths] == ["r.csv", "r_trust.csv"]
    assert rows_of(paths[1].read_text())[0]["Total Responses"] == "0"


def test_cli_prints_when_no_out_and_refuses_a_missing_settings_file(
    central: Central, tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture
) -> None:
    central.add("ward-3", fft=2, when=at(2026, 11, 4), n=5)
    base = ["--database-url", db_url, "--data-dir", str(tmp_path), "fft-return"]
    assert run_cli([*base, "--month", "2026-11"]) == 0
    captured = capsys.readouterr()
    ward, trust, summary = captured.out.split("\r\n\n")
    assert rows_of(ward)[0]["2 Good SUM"] == "5" and rows_of(trust)[0]["Mode Other"] == "5"
    assert rows_of(summary)[-1]["Counted in return"] == "5"
    assert "org_code and org_name not set" in captured.err
    assert "FFT_ORG_2026_27_NOVEMBER: 5 responses counted, 100% positive" in captured.err
    with pytest.raises(ReportError, match="does not exist"):
        run_cli([*base, "--month", "2026-11", "--settings", str(tmp_path / "nope.toml")])


def test_eligible_numbers_fill_the_team_copy_only(
    central: Central, tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture
) -> None:
    central.add("ward-3", fft=1, when=at(2026, 11, 4), n=6)
    central.add("ward-4", fft=2, when=at(2026, 11, 4), n=7)
    eligible = tmp_path / "eligible.csv"
    eligible.write_text("Location,Total Eligible\nward-3,40\nward-4,55\nward-9,12\n")
    out = tmp_path / "r.csv"
    base = ["--database-url", db_url, "--data-dir", str(tmp_path), "fft-return",
            "--month", "2026-11", "--eligible", str(eligible)]  # fmt: skip
    assert run_cli([*base, "--out", str(out)]) == 0
    assert [r["Total Eligible SUM"] for r in rows_of(out.read_text())] == ["40", "55"]
    assert rows_of((tmp_path / "r_trust.csv").read_text())[0]["Total Eligible SUM"] == "95"
    assert "no counted responses this month for ward-9" in capsys.readouterr().err
    assert run_cli([*base, "--out", str(tmp_path / "p.csv"), "--public"]) == 0
    assert {r["Total Eligible SUM"] for r in rows_of((tmp_path / "p.csv").read_text())} == {""}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ward,Eligible\nward-3,4\n", "header Location,Total Eligible"),
        ("Location,Total Eligible\nward-3,many\n", "line 2: give a location code and a whole"),
        ("Location,Total Eligible\nward-3,4\nward-3,5\n", "line 3: location 'ward-3' is repeated"),
    ],
)
def test_bad_eligible_file_names_the_line(tmp_path: Path, text: str, expected: str) -> None:
    from central.returns_cli import load_eligible

    path = tmp_path / "eligible.csv"
    path.write_text(text)
    with pytest.raises(ReportError, match=expected):
        load_eligible(path)
