"""Nothing read as another value than the person typed (docs/data_contract.md, "Values that
would be read wrong"), and messages that say how to fix each problem, in both languages.

The workbooks are written with openpyxl the way Excel stores what people type: numbers
as numbers, ``5%`` as 0.05 with a percentage number format, months kept as text by the
template's text format.
"""

from __future__ import annotations

import csv
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from score_analysis import cli
from score_analysis.build import validate_inputs
from score_analysis.data.findings import Finding, finding_line, finding_lines
from score_analysis.i18n import use_language

MINIMAL = Path(__file__).parent / "data" / "minimal"


def _rows(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def _typed(text: str) -> object:
    """A cell as Excel keeps what was typed into the template (months and codes as text)."""
    if text == "":
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def workbook(tmp_path: Path, edit: Callable | None = None,
             csv_edit: Callable[[dict[str, list[list[str]]]], None] | None = None) -> Path:
    """The minimal dataset as one workbook; ``csv_edit`` changes the rows first, ``edit``
    the openpyxl workbook before it is saved."""
    from openpyxl import Workbook

    tables = {p.stem: _rows(p) for p in sorted(MINIMAL.glob("*.csv"))}
    if csv_edit is not None:
        csv_edit(tables)
    book = Workbook()
    book.remove(book.active)
    for name, rows in tables.items():
        sheet = book.create_sheet(name)
        for r in rows:
            sheet.append([_typed(v) for v in r])
    if edit is not None:
        edit(book)
    path = tmp_path / "book.xlsx"
    book.save(path)
    return path


def _cell(book, sheet: str, column: str, row: int):
    header = [c.value for c in book[sheet][1]]
    return book[sheet].cell(row=row, column=header.index(column) + 1)


def percent(sheet: str, column: str, row: int, stored: float) -> Callable:
    """Type a percentage into a cell: Excel stores ``stored`` and formats it as ``0%``."""
    def edit(book):
        cell = _cell(book, sheet, column, row)
        cell.value = stored
        cell.number_format = "0.0%" if round(stored * 100) != stored * 100 else "0%"
    return edit


def _only_error(path: Path) -> tuple[Finding, dict]:
    result = validate_inputs(path)
    assert len(result.errors) == 1, [f.line() for f in result.errors]
    return result.errors[0], result.letters


def _lines(finding: Finding, letters: dict) -> dict[str, str]:
    out = {}
    for language in ("en", "id"):
        with use_language(language):
            out[language] = finding_line(finding, letters)
    return out


# --------------------------------------------------------------------------- the three misreads


def test_a_typed_year_is_an_error_naming_its_cell(tmp_path):
    """``2001-04`` among alpha's 2010 months: April 2010 would become a month nine years
    before the programme."""
    def typo(tables):
        tables["kpi_monthly"][4][1] = "2001-04"  # alpha, 2010-04 (spreadsheet row 5)

    error, letters = _only_error(workbook(tmp_path, csv_edit=typo))
    assert (error.row, error.column, error.value, error.rule) == (5, "month", "2001-04",
                                                                  "month_apart")
    lines = _lines(error, letters)
    assert lines["en"] == (
        "error: book.xlsx, kpi_monthly!B5, column month: value '2001-04': 2001-04: 9 years "
        "before the other months of this enterprise: a typed year? did you mean 2010-04? "
        "(rule: months of an enterprise within 12 months of each other)")
    assert lines["id"] == (
        "kesalahan: book.xlsx, kpi_monthly!B5, kolom month: nilai '2001-04': 2001-04: 9 tahun "
        "sebelum bulan-bulan lain perusahaan ini: salah ketik tahun? maksud Anda 2010-04? "
        "(aturan: bulan-bulan satu perusahaan berjarak paling jauh 12 bulan satu sama lain)")


def test_two_typed_years_in_a_row_are_both_errors(tmp_path):
    def typo(tables):
        tables["kpi_monthly"][4][1] = "2001-04"
        tables["kpi_monthly"][5][1] = "2001-05"

    result = validate_inputs(workbook(tmp_path, csv_edit=typo))
    assert [(f.row, f.rule, f.params.get("suggestion")) for f in result.errors] == [
        (5, "month_apart", "2010-04"), (6, "month_apart", "2010-05")]


def test_a_percentage_in_a_count_column_is_an_error_naming_its_cell(tmp_path):
    """``5%`` typed into workdays_absent is stored as 0.05 (five hundredths of a day)."""
    error, letters = _only_error(workbook(tmp_path, percent("kpi_monthly", "workdays_absent",
                                                            3, 0.05)))
    assert (error.row, error.column, error.value, error.rule) == (3, "workdays_absent", "0.05",
                                                                  "percent_cell")
    lines = _lines(error, letters)
    assert lines["en"].startswith("error: book.xlsx, kpi_monthly!J3, column workdays_absent: ")
    assert ("Excel shows 5% but stores 0.05, and workdays_absent is not a percentage, so it "
            "would be read as 0.05. Format the cell as a number and type the value itself; did "
            "you mean 5?") in lines["en"]
    assert lines["id"].startswith("kesalahan: book.xlsx, kpi_monthly!J3, kolom workdays_absent")
    assert "Excel menampilkan 5% tetapi menyimpan 0,05" in lines["id"]
    assert "maksud Anda 5?" in lines["id"]


def test_a_5s_score_typed_as_a_percentage_is_an_error_naming_its_cell(tmp_path):
    """``75%`` as a score on a 0-4 checklist is stored as 0.75, a valid score: no other rule
    would catch it."""
    error, letters = _only_error(workbook(tmp_path, percent("five_s_audits", "score", 2,
                                                            0.75)))
    assert (error.row, error.column, error.rule) == (2, "score", "percent_cell")
    lines = _lines(error, letters)
    assert lines["en"].startswith("error: book.xlsx, five_s_audits!G2, column score: "
                                  "value '0.75': the cell is formatted as a percentage: "
                                  "Excel shows 75% but stores 0.75")
    assert lines["en"].endswith("(a score on its scale 0-4, not a percentage) (rule: no "
                                "percentage in a column that is not a percentage)")
    assert "Excel menampilkan 75% tetapi menyimpan 0,75" in lines["id"]
    assert "(nilai pada skalanya 0-4, bukan persentase)" in lines["id"]


def test_a_percent_with_a_decimal_gets_a_question_in_the_readers_notation(tmp_path):
    error, letters = _only_error(workbook(tmp_path, percent("kpi_monthly", "workdays_absent",
                                                            3, 0.032)))
    lines = _lines(error, letters)
    assert "Excel shows 3.2% but stores 0.032" in lines["en"] and "did you mean 3.2?" in lines["en"]
    assert "Excel menampilkan 3,2% tetapi menyimpan 0,032" in lines["id"]
    assert "maksud Anda 3,2?" in lines["id"]
    assert "0032" not in lines["en"] + lines["id"]


def test_a_percentage_in_an_implementation_count_is_an_error(tmp_path):
    def edit(book):
        percent("implementation", "value", 7, 0.6)(book)  # alpha visit_1 actions_planned

    error, _ = _only_error(workbook(tmp_path, edit))
    assert (error.row, error.column, error.rule) == (7, "value", "percent_cell")


def test_every_month_of_a_series_shifted_is_one_error_on_the_intervention_month(tmp_path):
    """All of alpha's months typed a year... nine years early: each month is near the
    others, but the programme starts far after them."""
    def shift(tables):
        for r in tables["kpi_monthly"][1:]:
            if r[0] == "alpha":
                r[1] = "2001" + r[1][4:]

    result = validate_inputs(workbook(tmp_path, csv_edit=shift))
    assert [(f.file, f.row, f.column, f.value, f.rule) for f in result.errors] == [
        ("book.xlsx[enterprises]", 2, "intervention_month", "2010-04", "start_apart")]
    with use_language("en"):
        (line,) = finding_lines(result.errors, result.letters, result.workbook)
    assert ("enterprises!F2, column intervention_month: value '2010-04': the programme starts "
            "9 years after the last monthly record of this enterprise (2001-06): is a year "
            "typed wrong, here or in the months?") in line


# --------------------------------------------------------------------------- numbers


def test_a_number_stored_as_a_number_is_read_as_it_is(tmp_path):
    """51.166 typed in an English-locale Excel is the number 51.166: not 'typed as text'."""
    def edit(book):
        _cell(book, "kpi_monthly", "worker_hours", 2).value = 17000.166

    result = validate_inputs(workbook(tmp_path, edit))
    assert result.ok and not [f for f in result.findings if f.column == "worker_hours"]
    assert result.tables["kpi_monthly"]["worker_hours"].iloc[0] == 17000.166


@pytest.mark.parametrize(("text", "en", "id"), [
    ("7.304", "is it 7,304 (a whole number with a thousands separator) or 7.304 (with "
              "decimals)?",
     "apakah 7.304 (bilangan bulat dengan pemisah ribuan) atau 7,304 (dengan desimal)?"),
    ("17.100", "is it 17,100 (a whole number with a thousands separator) or 17.1 (with "
               "decimals)?",
     "apakah 17.100 (bilangan bulat dengan pemisah ribuan) atau 17,1 (dengan desimal)?"),
])
def test_a_thousands_question_is_asked_in_the_readers_notation(tmp_path, text, en, id):
    def edit(book):
        _cell(book, "kpi_monthly", "worker_hours", 2).value = text  # typed as text

    error, letters = _only_error(workbook(tmp_path, edit))
    assert error.rule == "thousands_ambiguous"
    lines = _lines(error, letters)
    assert en in lines["en"] and id in lines["id"]
    assert "Type it as a number in Excel" in lines["en"]


def test_thousands_in_a_semicolon_file_that_also_writes_decimal_points(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(MINIMAL, data)
    text = (data / "kpi_monthly.csv").read_text().replace(",", ";")
    text = text.replace("17000", "17.000").replace("16800", "16800.5")
    text = text.replace(";2200;", ";2,200;")
    (data / "kpi_monthly.csv").write_text(text)
    result = validate_inputs(data)
    assert [(f.row, f.column, f.value, f.rule) for f in result.errors] == [
        (2, "worker_hours", "17.000", "thousands_ambiguous"),
        (2, "workdays_scheduled", "2,200", "thousands_ambiguous")]
    assert "is it 2,200 (a whole number with a thousands separator) or 2.2 (with decimals)?" in (
        result.errors[1].message)
    assert ("This file writes decimals with ',' but row 3 writes '16800.5' with '.'."
            in result.errors[0].message)


@pytest.mark.parametrize(("value", "fix"), [
    ("5%", "remove the '%' sign and type the number itself"),
    ("Rp 5000", "type the digits only, without units, currency or words"),
    ("1 000", "remove the spaces between the digits"),
    ("n/a", "leave the cell blank when the value is not recorded"),
    ("lots", "type the number with digits (0-9)"),
    ("12.5.1", "type one number, with '.' for the decimals"),
    ("−5", "use the ordinary minus sign (-)"),
])
def test_every_not_a_number_says_how_to_fix_it(tmp_path, value, fix):
    data = tmp_path / "data"
    shutil.copytree(MINIMAL, data)
    rows = _rows(data / "kpi_monthly.csv")
    rows[3][rows[0].index("worker_hours")] = value
    with open(data / "kpi_monthly.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    (error,) = validate_inputs(data).errors
    assert error.rule == "not_a_number"
    assert error.message == "not a number: " + fix or fix in error.message
    assert fix in error.message
    with use_language("id"):
        assert error.message.startswith("bukan angka: ") and len(error.message) > 20


def test_scientific_notation_saved_by_excel_is_a_warning(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(MINIMAL, data)
    text = (data / "kpi_monthly.csv").read_text().replace(",50000,", ",5.00002E+04,")
    (data / "kpi_monthly.csv").write_text(text)
    result = validate_inputs(data)
    assert result.ok
    (warning,) = [f for f in result.findings if f.rule == "scientific_notation"]
    assert (warning.row, warning.column, warning.severity) == (2, "output_units", "warning")
    assert "(50,000.2)" in warning.message


def test_a_date_read_day_first_in_a_column_that_writes_the_month_first(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(MINIMAL, data)
    (data / "milestones.csv").write_text("enterprise_id,milestone,date\n"
                                         "alpha,training,03/04/2010\nbeta,visit_1,10/14/2010\n")
    result = validate_inputs(data)
    assert [(f.row, f.rule) for f in result.errors] == [(2, "date_order_ambiguous"),
                                                        (3, "date_format")]
    assert "read day first this is 2010-04-03, but row 3" in result.errors[0].message


# --------------------------------------------------------------------------- did you mean


@pytest.mark.parametrize(("sheet", "column", "row", "typed", "meant"), [
    ("five_s_audits", "pillar", 2, "ringkas", "sort"),
    ("five_s_audits", "pillar", 2, "Resik", "shine"),
    ("five_s_audits", "pillar", 2, "Set in order", "set_in_order"),
    ("worker_survey", "wave", 2, "awal", "baseline"),
    ("worker_survey", "wave", 2, "follow-up", "followup"),
    ("enterprises", "role", 2, "pembanding", "comparison"),
    ("qualitative", "kind", 2, "kendala", "constraint"),
    ("implementation", "visit", 2, "kunjungan 1", "visit_1"),
])
def test_codes_written_by_their_names_get_a_did_you_mean(tmp_path, sheet, column, row, typed,
                                                         meant):
    def edit(book):
        header = [c.value for c in book[sheet][1]]
        if column not in header:
            book[sheet].cell(row=1, column=len(header) + 1, value=column)
        _cell(book, sheet, column, row).value = typed

    result = validate_inputs(workbook(tmp_path, edit))
    errors = [f for f in result.errors if f.rule == "one_of"]
    assert [(f.row, f.column, f.value) for f in errors] == [(row, column, typed)]
    assert errors[0].message.endswith(f"did you mean '{meant}'?")
    with use_language("id"):
        assert errors[0].message.endswith(f"maksud Anda '{meant}'?")


def test_a_survey_answer_in_words_gets_its_number_on_the_scale(tmp_path):
    def edit(book):
        _cell(book, "worker_survey", "com1", 2).value = "Setuju"

    error, letters = _only_error(workbook(tmp_path, edit))
    assert error.rule == "answer_whole_number"
    lines = _lines(error, letters)
    assert ("the answer must be a whole number on the item's scale 1-5: type 4 (Setuju) on the "
            "1-5 scale") in lines["en"]
    assert ("jawaban harus bilangan bulat pada skala butir 1-5: ketik 4 (Setuju) pada skala "
            "1-5") in lines["id"]


# --------------------------------------------------------------------------- the command line


def _review_workbook(tmp_path: Path) -> Path:
    """A workbook with the mistakes of the review: a typed year, a percentage in a count, a
    75% score, a thousands dot typed as text, a pillar and an answer in Indonesian words,
    text in a number column, and every row of a deleted enterprise."""
    def typo(tables):
        tables["kpi_monthly"][4][1] = "2001-04"
        ents = tables["enterprises"]
        tables["enterprises"] = [r for r in ents if r[0] != "beta"]  # deleted, still used

    def edit(book):
        percent("kpi_monthly", "workdays_absent", 3, 0.05)(book)
        percent("five_s_audits", "score", 2, 0.75)(book)
        _cell(book, "kpi_monthly", "worker_hours", 6).value = "7.304"
        _cell(book, "kpi_monthly", "worker_hours", 7).value = "17100 jam"
        _cell(book, "five_s_audits", "pillar", 3).value = "ringkas"
        _cell(book, "worker_survey", "com1", 2).value = "Setuju"

    return workbook(tmp_path, edit, typo)


def test_validate_in_indonesian_prints_one_line_per_cause_with_the_cell_and_a_fix(
        tmp_path, capsys):
    path = _review_workbook(tmp_path)
    assert cli.main(["validate", "--language", "id", str(path)]) == 2
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert len(lines) == 8, out
    for line in lines:
        assert line.startswith("kesalahan: ")
        assert "(aturan: " in line and "(rule:" not in line
    (deleted,) = [line for line in lines if "'beta'" in line]
    assert deleted.startswith("kesalahan: perusahaan 'beta' tidak ada di lembar enterprises; "
                              "dipakai oleh ")
    for line in lines:  # every other cause names its cell...
        assert line == deleted or re.search(r"book\.xlsx, \w+![A-Z]+\d+, kolom ", line), line
    assert "enterprises.csv" not in out  # ...and workbook advice names sheets
    for fix in ("maksud Anda 2010-04?", "maksud Anda 5?", "bukan persentase",
                "apakah 7.304 (bilangan bulat", "ketik angkanya saja", "maksud Anda 'sort'?",
                "ketik 4 (Setuju) pada skala 1-5"):
        assert fix in out, fix
    # the summary counts causes, not rows (beta is used by many rows on several sheets)
    assert err.strip().startswith("8 kesalahan, 0 peringatan di "), err
