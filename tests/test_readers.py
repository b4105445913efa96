"""Reading CSV files and workbooks (score_analysis.data.readers): every cell as text, with
its spreadsheet row, and every problem of the file itself as a finding."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from score_analysis import files
from score_analysis.data import readers as sio
from score_analysis.data.contract import TABLES

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
    assert raw.files["enterprises.csv"] == files.sha256_file(MINIMAL / "enterprises.csv")


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
    assert ("info", "milestones.csv", None, "", "utf16") in _findings(raw)


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
    assert ("error", "milestones.csv", 1, "_row", "reserved_column") in _findings(raw)
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


def _with_saved_values(path: Path, values: dict[str, str]) -> None:
    """Write into a saved workbook the values Excel computes and saves beside each formula
    (openpyxl writes formulas without them): ``{"D4": "<v>17100</v>"}``, by cell."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as zin:
        parts = {info.filename: zin.read(info) for info in zin.infolist()}
    for name, data in parts.items():
        if name.startswith("xl/worksheets/sheet"):
            text = data.decode()
            for cell, cached in values.items():
                text = re.sub(rf'(<c r="{cell}"[^>]*)>(<f>[^<]*</f>)(?:<v\s*/>|<v></v>)',
                              lambda m, c=cached: m[1] + (' t="e">' if "#" in c else ">")
                              + m[2] + c, text)
            parts[name] = text.encode()
    with zipfile.ZipFile(path, "w") as zout:
        for name, data in parts.items():
            zout.writestr(name, data)


def _edit_sheet(path: Path, edit) -> None:
    """Edit the XML of the first worksheet of a saved workbook."""
    import zipfile

    with zipfile.ZipFile(path) as zin:
        parts = {info.filename: zin.read(info) for info in zin.infolist()}
    name = "xl/worksheets/sheet1.xml"
    parts[name] = edit(parts[name].decode()).encode()
    with zipfile.ZipFile(path, "w") as zout:
        for part, data in parts.items():
            zout.writestr(part, data)


def _enterprises_book(path: Path, *rows: list, edit=None) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "enterprises"
    sheet.append(["enterprise_id", "name", "sector", "intervention_month", "data_source",
                  "employees"])
    for row in rows:
        sheet.append(row)
    book.create_sheet("kpi_monthly").append(["enterprise_id", "month", "headcount"])
    if edit is not None:
        edit(book)
    book.save(path)
    return path


def test_a_formula_is_read_as_the_value_excel_saved_with_it(tmp_path):
    path = _enterprises_book(tmp_path / "data.xlsx",
                             ["a", "PT A", "garmen", "2010-04", "simulated", "=100+5"],
                             ["b", "PT B", "garmen", "2010-04", "simulated", "=A1"])
    _with_saved_values(path, {"F2": "<v>105</v>", "F3": "<v>#N/A</v>"})
    raw = sio.read_raw(path)
    assert raw.tables["enterprises"].frame["employees"].tolist() == ["105", ""]
    (finding,) = raw.findings
    assert (finding.file, finding.row, finding.column, finding.value, finding.rule) == (
        "data.xlsx[enterprises]", 3, "employees", "#N/A", "excel_error")


def test_a_formula_without_its_saved_value_is_an_error_naming_sheet_cell_and_formula(
        tmp_path):
    from score_analysis.data.findings import finding_line
    from score_analysis.data.validation import validate

    path = _enterprises_book(tmp_path / "data.xlsx",
                             ["a", "PT A", "garmen", "2010-04", "simulated", "=100+5"])
    raw = sio.read_raw(path)
    (finding,) = raw.findings
    assert (finding.severity, finding.row, finding.column, finding.value, finding.rule) == (
        "error", 2, "employees", "=100+5", "formula_without_value")
    assert finding_line(finding, raw.letters) == (
        "error: data.xlsx, enterprises!F2, column employees: value '=100+5': the cell holds "
        "the formula =100+5 but no computed value was saved with it: open and save the "
        "workbook in Excel, or type the value (rule: formula with its computed value)")
    result = validate(raw)
    assert not result.ok  # never "valid" with a value silently blank
    assert [f.rule for f in result.errors] == ["formula_without_value"]


def test_a_formula_whose_saved_value_is_empty_text_is_blank(tmp_path):
    path = _enterprises_book(tmp_path / "data.xlsx",
                             ["a", "PT A", "garmen", "2010-04", "simulated", '=""'])
    _with_saved_values(path, {"F2": '<v></v>'})
    _edit_sheet(path, lambda xml: xml.replace('<c r="F2">', '<c r="F2" t="str">'))  # as Excel
    raw = sio.read_raw(path)
    assert raw.findings == []
    assert raw.tables["enterprises"].frame["employees"].tolist() == [""]


@pytest.mark.parametrize("error", ["#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?"])
def test_an_excel_error_value_is_an_error_even_in_a_text_column(tmp_path, error):
    path = _enterprises_book(tmp_path / "data.xlsx",
                             ["a", error, "garmen", "2010-04", "simulated", 5])
    raw = sio.read_raw(path)
    assert [(f.severity, f.row, f.column, f.value, f.rule) for f in raw.findings] == [
        ("error", 2, "name", error, "excel_error")]


def test_merged_cells_are_an_error_and_their_blank_cells_are_not_reported_again(tmp_path):
    from score_analysis.data.validation import validate

    path = _enterprises_book(tmp_path / "data.xlsx",
                             ["a", "PT A", "garmen", "2010-04", "simulated", 5],
                             ["b", "PT B", None, "2010-04", "simulated", 5],
                             edit=lambda b: b["enterprises"].merge_cells("C2:C3"))
    raw = sio.read_raw(path)
    assert [(f.row, f.column, f.value, f.rule) for f in raw.findings] == [
        (2, "sector", "garmen", "merged_cells")]
    assert "C2:C3" in raw.findings[0].message
    # the blank C3 is not a second "required value" error: it has one cause
    assert [(f.row, f.rule) for f in validate(raw).errors] == [(2, "merged_cells")]


def test_a_merged_title_above_the_header_is_reported_as_a_title(tmp_path):
    def title(book):
        sheet = book["enterprises"]
        sheet.insert_rows(1)
        sheet["A1"] = "Enterprises 2010"
        sheet.merge_cells("A1:F1")

    path = _enterprises_book(tmp_path / "data.xlsx",
                             ["a", "PT A", "garmen", "2010-04", "simulated", 5], edit=title)
    raw = sio.read_raw(path)
    assert [f.rule for f in raw.findings] == ["header_not_first"]


def test_hidden_sheets_rows_and_columns_are_warnings(tmp_path):
    def hide(book):
        book["enterprises"].row_dimensions[3].hidden = True
        book["enterprises"].column_dimensions["C"].hidden = True
        book.create_sheet("milestones").append(["enterprise_id", "milestone", "date"])
        book["milestones"].sheet_state = "hidden"

    path = _enterprises_book(tmp_path / "data.xlsx",
                             ["a", "PT A", "garmen", "2010-04", "simulated", 5],
                             ["b", "PT B", "garmen", "2010-04", "simulated", 5], edit=hide)
    raw = sio.read_raw(path)
    assert _findings(raw) == {
        ("warning", "data.xlsx[enterprises]", 3, "", "hidden_rows"),
        ("warning", "data.xlsx[enterprises]", None, "sector", "hidden_column"),
        ("warning", "data.xlsx[milestones]", None, "", "hidden_sheet")}
    assert len(raw.tables["enterprises"].frame) == 2  # hidden rows are still read


def test_column_letters_name_the_cells_of_a_workbook(tmp_path):
    _enterprises_book(tmp_path / "data.xlsx")
    letters, book = sio.column_letters(tmp_path)
    assert book == "data.xlsx"
    assert letters["data.xlsx[enterprises]"]["employees"] == "F"
    assert sio.column_letters(MINIMAL) == ({}, None)


@pytest.mark.parametrize("value, text", [
    (None, ""), (True, "true"), (False, "false"), (12.0, "12"), (0.1, "0.1"), (7, "7"),
    (dt.datetime(2010, 4, 1), "2010-04-01"), (dt.datetime(2010, 4, 1, 8, 30),
                                               "2010-04-01T08:30:00"),
    (dt.date(2010, 4, 1), "2010-04-01"), (1e300, "1e+300"), ("  x ", "  x "),
])
def test_workbook_cells_become_text(value, text):
    assert sio.cell_text(value) == text


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
