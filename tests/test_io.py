"""Reading and writing files (score_analysis.io)."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

import pandas as pd
import pytest

from score_analysis import io as sio
from score_analysis.contract import TABLES

MINIMAL = Path(__file__).parent / "data" / "minimal"


def _findings(raw) -> set[tuple]:
    return {(f.severity, f.file, f.row, f.column, f.rule) for f in raw.findings}


# --------------------------------------------------------------------------- reading


def test_reads_every_table_as_text_with_spreadsheet_rows():
    raw = sio.read_raw(MINIMAL)
    assert set(raw.tables) == set(TABLES)
    assert raw.findings == [] and raw.workbook is None and raw.unreadable == set()
    kpi = raw.tables["kpi_monthly"].frame
    assert kpi[sio.ROW].tolist() == list(range(2, 14))
    assert kpi.drop(columns=[sio.ROW]).map(type).eq(str).all().all()
    assert kpi.loc[6, "output_units"] == ""  # blank stays blank text
    assert set(raw.files) == {f"{t}.csv" for t in TABLES}
    assert raw.files["enterprises.csv"] == sio.sha256_file(MINIMAL / "enterprises.csv")


def test_a_quoted_line_break_stays_in_one_row(tmp_path):
    (tmp_path / "qualitative.csv").write_text(
        'enterprise_id,kind,text,language\nalpha,constraint,"two\nlines",en\n'
        "beta,constraint,one line,en\n", encoding="utf-8")
    frame = sio.read_raw(tmp_path).tables["qualitative"].frame
    assert frame["text"].tolist() == ["two\nlines", "one line"]
    assert frame[sio.ROW].tolist() == [2, 3]  # rows as a spreadsheet shows them


@pytest.mark.parametrize("separator, decimal", [(",", "."), (";", ","), ("\t", ".")])
def test_separator_is_detected(tmp_path, separator, decimal):
    text = (MINIMAL / "milestones.csv").read_text().replace(",", separator)
    (tmp_path / "milestones.csv").write_text(text)
    table = sio.read_raw(tmp_path).tables["milestones"]
    assert table.decimal == decimal
    assert list(table.frame.columns) == ["enterprise_id", "milestone", "date", sio.ROW]


def test_utf16_text_is_read(tmp_path):
    text = (MINIMAL / "milestones.csv").read_text()
    (tmp_path / "milestones.csv").write_bytes(text.encode("utf-16"))
    raw = sio.read_raw(tmp_path)
    assert raw.tables["milestones"].frame["milestone"].tolist() == ["training", "visit_1"]
    assert ("info", "milestones.csv", None, "", "UTF-8 encoding") in _findings(raw)


def test_unknown_file_is_ignored_with_a_hint(tmp_path):
    (tmp_path / "Milestones.csv").write_text((MINIMAL / "milestones.csv").read_text())
    (tmp_path / "notes.csv").write_text("a,b\n1,2\n")
    raw = sio.read_raw(tmp_path)
    assert "milestones" not in raw.tables
    lines = [f.line() for f in raw.findings]
    assert ("warning: Milestones.csv: file is not part of the data contract and was ignored; "
            "did you mean milestones.csv? (rule: known table names)") in lines
    assert any(line.startswith("warning: notes.csv:") for line in lines)


def test_reserved_column_name_is_an_error(tmp_path):
    (tmp_path / "milestones.csv").write_text("enterprise_id,milestone,date,_row\na,b,c,d\n")
    raw = sio.read_raw(tmp_path)
    assert ("error", "milestones.csv", 1, "_row", "column names are unique") in _findings(raw)
    assert raw.unreadable == {"milestones"}


def test_a_directory_holding_one_workbook_is_read_as_the_workbook(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Milestones.csv"  # sheet names: case, spaces and .csv do not matter
    sheet.append(["enterprise_id", "milestone", "date"])
    sheet.append(["alpha", "training", dt.datetime(2010, 3, 22)])
    sheet.append(["alpha", 12.0, 3.25])
    book.save(tmp_path / "data.xlsx")
    raw = sio.read_raw(tmp_path)
    assert raw.workbook == "data.xlsx"
    table = raw.tables["milestones"]
    assert table.from_excel and table.source == "data.xlsx[Milestones.csv]"
    assert table.frame["date"].tolist() == ["2010-03-22", "3.25"]
    assert table.frame["milestone"].tolist() == ["training", "12"]
    assert raw.shown_name("enterprises") == "data.xlsx[enterprises]"


@pytest.mark.parametrize("value, text", [
    (None, ""), (True, "true"), (False, "false"), (12.0, "12"), (0.1, "0.1"), (7, "7"),
    (dt.datetime(2010, 4, 1), "2010-04-01"), (dt.datetime(2010, 4, 1, 8, 30),
                                               "2010-04-01T08:30:00"),
    (dt.date(2010, 4, 1), "2010-04-01"), (1e300, "1e+300"), ("  x ", "  x "),
])
def test_workbook_cells_become_text(value, text):
    assert sio._cell_text(value) == text


# --------------------------------------------------------------------------- writing


def test_atomic_write_is_all_or_nothing(tmp_path):
    target = tmp_path / "out" / "a.txt"
    sio.write_text("first", target)
    with pytest.raises(RuntimeError), sio.atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("stopped")
    assert target.read_text() == "first"
    assert [p.name for p in target.parent.iterdir()] == ["a.txt"]


def test_written_files_are_readable_by_others(tmp_path):
    old = os.umask(0o022)
    try:
        sio.write_text("x", tmp_path / "a.txt")
        sio.write_json({"b": 1}, tmp_path / "b.json")
    finally:
        os.umask(old)
    for name in ("a.txt", "b.json"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o644


def test_json_is_stable(tmp_path):
    sio.write_json({"b": 1, "a": "é"}, tmp_path / "x.json")
    assert (tmp_path / "x.json").read_text(encoding="utf-8") == '{\n  "a": "é",\n  "b": 1\n}\n'
    assert sio.read_json(tmp_path / "x.json") == {"a": "é", "b": 1}
    (tmp_path / "bad.json").write_text("{")
    assert sio.read_json(tmp_path / "bad.json") is None
    assert sio.read_json(tmp_path / "missing.json") is None


@pytest.mark.parametrize("value, safe", [
    ("=1+2", "'=1+2"), ("+cmd", "'+cmd"), ("-x", "'-x"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("ok", "ok"), ("", ""), (-1.5, -1.5), (None, None),
])
def test_formula_cells_are_neutralised(value, safe):
    assert sio.safe_csv_text(value) == safe


def test_write_csv_is_formula_safe_and_full_precision(tmp_path):
    frame = pd.DataFrame({"text": ["=HYPERLINK(1)", "plain"], "x": [0.1 + 0.2, -1 / 3],
                          "n": pd.array([1, None], dtype="Int64")})
    before = frame.copy()
    sio.write_csv(frame, tmp_path / "t.csv")
    pd.testing.assert_frame_equal(frame, before)  # the input is not changed
    assert (tmp_path / "t.csv").read_bytes() == (
        b"text,x,n\n'=HYPERLINK(1),0.30000000000000004,1\nplain,-0.33333333333333331,\n")
    back = pd.read_csv(tmp_path / "t.csv")
    assert back["x"].tolist() == [0.1 + 0.2, -1 / 3]


def test_replace_tree_moves_the_named_files_last(tmp_path, monkeypatch):
    stage, target = tmp_path / "stage", tmp_path / "target"
    for rel in ("z.csv", "index.html", "manifest.json", "sub/a.html", ".complete"):
        (stage / rel).parent.mkdir(parents=True, exist_ok=True)
        (stage / rel).write_text(rel)
    order = []
    real = os.replace
    monkeypatch.setattr(os, "replace", lambda s, d: (order.append(Path(d).name), real(s, d)))
    sio.replace_tree(stage, target, last=("index.html", "manifest.json"), skip=(".complete",))
    assert order == ["a.html", "z.csv", "index.html", "manifest.json"]
    assert not stage.exists() and not (target / ".complete").exists()
    assert (target / "sub" / "a.html").read_text() == "sub/a.html"


def test_workbook_is_written_atomically(tmp_path):
    from openpyxl import Workbook, load_workbook

    book = Workbook()
    book.active["A1"] = "x"
    sio.write_workbook(book, tmp_path / "b.xlsx")
    assert load_workbook(tmp_path / "b.xlsx").active["A1"].value == "x"
    assert [p.name for p in tmp_path.iterdir()] == ["b.xlsx"]


def test_hash_of_several_files_ignores_their_order(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_text("1")
    b.write_text("2")
    first = sio.sha256_files([a, b])
    assert first == sio.sha256_files([b, a])
    b.write_text("3")
    assert sio.sha256_files([a, b]) != first


def test_a_file_that_cannot_be_read_is_a_finding(tmp_path, monkeypatch):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(MINIMAL, data)
    real = Path.read_bytes

    def denied(self):
        if self.name == "kpi_monthly.csv":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", denied)
    raw = sio.read_raw(data)
    assert [f.line() for f in raw.findings] == [
        "error: kpi_monthly.csv: the file cannot be read (Permission denied) "
        "(rule: readable file)"]
    assert raw.unreadable == {"kpi_monthly"}
    assert set(raw.tables) == set(TABLES) - {"kpi_monthly"}
