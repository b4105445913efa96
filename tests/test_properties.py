"""Property-based tests of the readers and validation (docs/data_contract.md; issue #5 item 7).

Whatever a table holds -- any header, any cell text, any bytes, any workbook
cell -- reading and validating it either succeeds or yields §4 findings (file,
row, column, value, rule, one line each), and never raises.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from score_analysis.data.contract import TABLES
from score_analysis.data.findings import Finding
from score_analysis.data.readers import ROW, RawData, RawTable, read_raw
from score_analysis.data.validation import validate

SETTINGS = settings(max_examples=100, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SEVERITIES = {"error", "warning", "info"}
IDS = ("alpha", "beta", "Gamma", "../x", "")

TRICKY = ("", " ", "NaN", "nan", "inf", "-inf", "-0", "1e309", "1,5", "1.234,5", "12.5",
          "007", "+3", "2010-13", "2010-02-30", "2010-04", "2010-04-01", "31/12/1989",
          "14/10/2010", "2099-01", "true", "ya", "tidak", "=1+2", "@SUM(A1)", "-5",
          "\x00", "a\nb", "\u202e", "😀", "x" * 300, "1" * 40, "sort", "baseline",
          "good_practice", "simulated", "_row")


def _value(kind: str) -> st.SearchStrategy[str]:
    """Cell text for a column of ``kind``: plausible values, tricky ones and noise."""
    plausible = {
        "integer": st.integers(-5, 10**6).map(str),
        "number": st.floats(-10, 1e6, allow_nan=False).map(repr),
        "month": st.dates(dt.date(1985, 1, 1), dt.date(2100, 12, 1)).map(
            lambda d: d.strftime("%Y-%m")),
        "date": st.dates(dt.date(1985, 1, 1), dt.date(2100, 12, 31)).map(
            lambda d: d.strftime(d.day % 2 and "%Y-%m-%d" or "%d/%m/%Y")),
        "boolean": st.sampled_from(("true", "false", "1", "0", "yes", "tidak", "maybe")),
    }.get(kind, st.text(max_size=12))
    return st.one_of(plausible, st.sampled_from(TRICKY), st.sampled_from(IDS),
                     st.text(max_size=8))


@st.composite
def tables(draw, name: str) -> pd.DataFrame:
    """A text table for contract table ``name``: some of its columns (maybe shuffled,
    maybe with unknown ones) and 0-6 rows."""
    spec = TABLES[name]
    cols = [c.name for c in spec.columns]
    keep = draw(st.lists(st.sampled_from(cols), unique=True, min_size=0, max_size=len(cols)))
    if draw(st.booleans()):
        keep = [c for c in cols if c in keep or c in spec.key or c == "enterprise_id"]
    extra = draw(st.lists(st.sampled_from(("remarks", "com1", "com2", "Month", "x")),
                          unique=True, max_size=2))
    header = list(dict.fromkeys(keep + extra))
    kinds = {c.name: c.kind for c in spec.columns}
    n = draw(st.integers(0, 6))
    rows = [[draw(_value(kinds.get(h, "integer"))) for h in header] for _ in range(n)]
    return pd.DataFrame(rows, columns=header, dtype=object)


def _raw(frames: dict[str, pd.DataFrame], decimal: str = ".") -> RawData:
    raw = RawData()
    for name, frame in frames.items():
        frame = frame.copy()
        frame[ROW] = list(range(2, len(frame) + 2))
        raw.tables[name] = RawTable(name, f"{name}.csv", f"{name}.csv", frame, decimal)
    return raw


def _check(findings: list[Finding]) -> None:
    for f in findings:
        assert isinstance(f, Finding)
        assert f.severity in SEVERITIES
        assert f.file and f.rule and f.message
        assert f.row is None or (isinstance(f.row, int) and f.row >= 1)
        assert len(f.value) <= 200
        assert len(f.line().splitlines()) == 1


OTHER = st.sampled_from([n for n in TABLES if n != "enterprises"])


@SETTINGS
@given(st.data())
def test_any_text_tables_validate_or_give_findings(data):
    names = ["enterprises", data.draw(OTHER)]
    if "worker_survey" in names:
        names.append("survey_items")
    frames = {n: data.draw(tables(n), label=n) for n in names}
    decimal = data.draw(st.sampled_from((".", ",")))
    result = validate(_raw(frames, decimal), today=dt.date(2026, 1, 1))
    _check(result.findings)
    event("valid" if result.ok else "invalid")
    if result.ok:
        ents = result.tables["enterprises"]
        assert ents["enterprise_id"].str.fullmatch(r"[a-z0-9_-]{1,40}").all()
        assert ents["enterprise_id"].is_unique
        for frame in result.tables.values():
            assert ROW not in frame.columns
            if "enterprise_id" in frame.columns:
                assert frame["enterprise_id"].dropna().isin(set(ents["enterprise_id"])).all()
    else:
        assert result.tables == {}


@SETTINGS
@given(frames=st.fixed_dictionaries({"enterprises": tables("enterprises"),
                                     "kpi_monthly": tables("kpi_monthly")}),
       delimiter=st.sampled_from((",", ";", "\t")),
       bom=st.booleans(), encoding=st.sampled_from(("utf-8", "cp1252", "utf-16")))
def test_any_csv_files_read_and_validate(frames, delimiter, bom, encoding):
    with tempfile.TemporaryDirectory() as tmp:
        for name, frame in frames.items():
            buf = io.StringIO()
            writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
            writer.writerow(frame.columns)
            writer.writerows(frame.to_numpy().tolist())
            data = buf.getvalue().encode(encoding, errors="replace")
            (Path(tmp) / f"{name}.csv").write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
        raw = read_raw(tmp)
        _check(raw.findings)
        _check(validate(raw, today=dt.date(2026, 1, 1)).findings)


@SETTINGS
@given(content=st.one_of(st.binary(max_size=400),
                         st.text(max_size=300).map(lambda t: t.encode("utf-8")),
                         st.lists(st.lists(st.sampled_from(TRICKY + ("enterprise_id", "name",
                                                                     ",", ";", '"')),
                                           max_size=8), max_size=6)
                         .map(lambda rows: "\n".join(",".join(r) for r in rows).encode())))
def test_any_bytes_in_a_csv_file_give_findings(content):
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "enterprises.csv").write_bytes(content)
        raw = read_raw(tmp)
        _check(raw.findings)
        result = validate(raw, today=dt.date(2026, 1, 1))
        _check(result.findings)
        assert not result.ok or "enterprises" in result.tables


CELLS = st.one_of(st.none(), st.booleans(), st.integers(-10**18, 10**18),
                  st.floats(allow_nan=True, allow_infinity=True),
                  st.datetimes(dt.datetime(1900, 1, 1), dt.datetime(2200, 1, 1)),
                  st.dates(dt.date(1900, 1, 1), dt.date(2200, 1, 1)),
                  st.sampled_from(TRICKY + ("enterprise_id", "month")),
                  st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")),
                          max_size=10))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(sheets=st.dictionaries(st.sampled_from(("enterprises", "kpi_monthly", "Enterprises ",
                                               "codebook", "other")),
                              st.lists(st.lists(CELLS, max_size=6), max_size=5), max_size=3))
def test_any_workbook_gives_findings(sheets):
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for r in rows:  # characters a worksheet cannot hold are not possible input
            sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v
                          for v in r])
    if not book.sheetnames:
        book.create_sheet("empty")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data.xlsx"
        book.save(path)
        raw = read_raw(path)
        _check(raw.findings)
        _check(validate(raw, today=dt.date(2026, 1, 1)).findings)


MINIMAL = read_raw(Path(__file__).parent / "data" / "minimal")


@st.composite
def mutated_minimal(draw) -> RawData:
    """The valid minimal dataset with one to three cells replaced."""
    frames = {n: t.frame.drop(columns=[ROW]).copy() for n, t in MINIMAL.tables.items()}
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(sorted(frames)))
        frame = frames[name]
        column = draw(st.sampled_from(list(frame.columns)))
        kind = (TABLES[name].column(column).kind if column in TABLES[name].column_names
                else "integer")
        frame.iloc[draw(st.integers(0, len(frame) - 1)), frame.columns.get_loc(column)] = (
            draw(_value(kind)))
    return _raw(frames)


@SETTINGS
@given(raw=mutated_minimal())
def test_mutated_minimal_dataset_validates_or_gives_findings(raw):
    result = validate(raw, today=dt.date(2026, 1, 1))
    _check(result.findings)
    event("valid" if result.ok else "invalid")
    if result.ok:
        kpi = result.tables["kpi_monthly"]
        for column, bound in (("units_rejected", "units_produced"),
                              ("workdays_absent", "workdays_scheduled")):
            both = kpi[column].notna() & kpi[bound].notna()
            assert (kpi.loc[both, column] <= kpi.loc[both, bound]).all()
        audits = result.tables["five_s_audits"]
        scored = audits["score"].notna()
        assert audits.loc[scored, "score"].between(audits.loc[scored, "scale_min"],
                                                   audits.loc[scored, "scale_max"]).all()
