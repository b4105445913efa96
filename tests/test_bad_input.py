"""The bad-input corpus (docs/data_contract.md; issue #5 item 1).

Every case starts from the small valid dataset in ``tests/data/minimal`` and
applies one mutation (or builds one small broken file).  Each states the exact
findings it must produce -- file, spreadsheet row, column, value and rule --
and the command line must answer with exit code 2, one line per problem, no
traceback, and nothing written to the reports or processed directories.
Fixable noise (white space, empty rows and columns, a byte-order mark) is
cleaned and logged instead, and the data stays valid.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from score_analysis import build, cli
from score_analysis.build import validate_inputs
from score_analysis.data.findings import finding_lines
from score_analysis.i18n import use_language

MINIMAL = Path(__file__).parent / "data" / "minimal"

Mutation = Callable[[Path], Path | None]


# --------------------------------------------------------------------------- mutations


def _read_rows(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def _write_rows(path: Path, rows: list[list[str]]) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def set_cell(file: str, row: int, column: str, value: str) -> Mutation:
    """Set one cell; ``row`` as in a spreadsheet (header = 1)."""

    def mutate(d: Path) -> None:
        rows = _read_rows(d / file)
        rows[row - 1][rows[0].index(column)] = value
        _write_rows(d / file, rows)

    return mutate


def append_row(file: str, values: list[str]) -> Mutation:
    def mutate(d: Path) -> None:
        rows = _read_rows(d / file)
        rows.append(values)
        _write_rows(d / file, rows)

    return mutate


def add_column(file: str, name: str, values: list[str]) -> Mutation:
    def mutate(d: Path) -> None:
        rows = _read_rows(d / file)
        rows[0].append(name)
        for r, v in zip(rows[1:], values + [""] * len(rows), strict=False):
            r.append(v)
        _write_rows(d / file, rows)

    return mutate


def drop_column(file: str, column: str) -> Mutation:
    def mutate(d: Path) -> None:
        rows = _read_rows(d / file)
        j = rows[0].index(column)
        _write_rows(d / file, [r[:j] + r[j + 1:] for r in rows])

    return mutate


def rename_column(file: str, old: str, new: str) -> Mutation:
    def mutate(d: Path) -> None:
        rows = _read_rows(d / file)
        rows[0][rows[0].index(old)] = new
        _write_rows(d / file, rows)

    return mutate


def copy_file(source: str, target: str) -> Mutation:
    def mutate(d: Path) -> None:
        shutil.copyfile(d / source, d / target)

    return mutate


def remove(file: str) -> Mutation:
    return lambda d: (d / file).unlink()


def write_bytes(file: str, data: bytes) -> Mutation:
    def mutate(d: Path) -> None:
        (d / file).write_bytes(data)

    return mutate


def edit_bytes(file: str, edit: Callable[[bytes], bytes]) -> Mutation:
    def mutate(d: Path) -> None:
        p = d / file
        p.write_bytes(edit(p.read_bytes()))

    return mutate


def edit_text(file: str, edit: Callable[[str], str]) -> Mutation:
    def mutate(d: Path) -> None:
        p = d / file
        p.write_text(edit(p.read_text(encoding="utf-8")), encoding="utf-8")

    return mutate


def each(*mutations: Mutation) -> Mutation:
    def mutate(d: Path) -> Path | None:
        out = None
        for m in mutations:
            out = m(d) or out
        return out

    return mutate


def as_workbook(*, rename: dict[str, str] | None = None, title_row: str | None = None,
                keep_csv: bool = False, edit: Callable | None = None) -> Mutation:
    """Turn the CSV files into one workbook ``book.xlsx`` (one sheet per table).

    ``rename`` renames sheets; ``title_row`` names a sheet that gets a merged
    title row above its header; ``edit`` changes the workbook before it is
    saved.  Cells are typed as Excel would type them.
    """
    from openpyxl import Workbook

    def typed(text: str) -> object:
        if re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", text):  # Excel turns these into dates
            return dt.datetime.strptime(text + "-01"[: 10 - len(text)], "%Y-%m-%d")
        for kind in (int, float):
            try:
                return kind(text)
            except ValueError:
                pass
        return text if text != "" else None

    def mutate(d: Path) -> Path:
        book = Workbook()
        book.remove(book.active)
        for p in sorted(d.glob("*.csv")):
            rows = _read_rows(p)
            sheet = book.create_sheet((rename or {}).get(p.stem, p.stem))
            if p.stem == title_row:
                sheet.append([f"{p.stem} records, 2010"])
                sheet.merge_cells(start_row=1, start_column=1, end_row=1,
                                  end_column=len(rows[0]))
            for r in rows:
                sheet.append([typed(v) for v in r])
            if not keep_csv:
                p.unlink()
        if edit is not None:
            edit(book)
        target = d / "book.xlsx"
        book.save(target)
        return target

    return mutate


# --------------------------------------------------------------------------- the corpus


@dataclass(frozen=True)
class Case:
    """One broken (or noisy) dataset and exactly what must be reported.

    ``errors`` are ``(file, row, column, value, rule)`` and must be *all* the
    errors; ``notes`` are ``(severity, file, row, column, value, rule)`` that
    must be among the other findings; ``message`` parts must appear in the
    output.
    """

    id: str
    mutate: Mutation
    errors: tuple[tuple, ...] = ()
    notes: tuple[tuple, ...] = ()
    message: tuple[str, ...] = ()
    check: Callable[[dict[str, pd.DataFrame]], bool] | None = None  # on the cleaned tables

    @property
    def exit_code(self) -> int:
        return 2 if self.errors else 0


KPI = "kpi_monthly.csv"
ENT = "enterprises.csv"
FIVE = "five_s_audits.csv"
SURVEY = "worker_survey.csv"
BOOK = "survey_items.csv"
QUAL = "qualitative.csv"
MILE = "milestones.csv"
IMPL = "implementation.csv"
PILLAR_RULE = "one_of"
ID_RULE = "enterprise_id"
KPI_ROW_4 = "alpha,2010-03,102,17100,5,50200,51100,900,800,2210,88,5,3,0,2"
LONG = "x" * 1_000_000

CASES = [
    # ---- missing files and columns
    Case("missing_required_file", remove(ENT),
         errors=((ENT, None, "", "", "missing_file"),),
         message=("the required table is missing",)),
    Case("missing_kpi_file", remove(KPI), errors=((KPI, None, "", "", "missing_file"),)),
    Case("missing_required_column", drop_column(KPI, "month"),
         errors=((KPI, 1, "month", "", "missing_column"),),
         message=("the required column 'month' is missing",)),
    Case("misspelt_column_name", rename_column(ENT, "intervention_month", "Intervention Month"),
         errors=((ENT, 1, "intervention_month", "", "missing_column"),),
         message=("found 'Intervention Month': rename it 'intervention_month'",)),
    Case("survey_without_codebook", remove(BOOK),
         errors=((BOOK, None, "", "", "codebook_missing"),)),
    # ---- keys
    Case("unknown_enterprise", set_cell(KPI, 8, "enterprise_id", "gamma"),
         errors=((KPI, 8, "enterprise_id", "gamma", "unknown_enterprise"),),
         message=("unknown enterprise",)),
    Case("unknown_enterprise_in_audits", set_cell(FIVE, 6, "enterprise_id", "gamma"),
         errors=((FIVE, 6, "enterprise_id", "gamma", "unknown_enterprise"),)),
    Case("misspelt_enterprise", set_cell(KPI, 8, "enterprise_id", "alhpa"),
         errors=((KPI, 8, "enterprise_id", "alhpa", "unknown_enterprise"),),
         message=("unknown enterprise: add it to enterprises.csv; did you mean 'alpha'?",)),
    Case("duplicate_enterprise",
         append_row(ENT, ["alpha", "PT Alpha Two", "", "printing", "", "2010-04", "",
                          "simulated"]),
         errors=((ENT, 4, "enterprise_id", "alpha", "duplicate_key"),),
         message=("duplicate of row 2",)),
    Case("duplicate_month", set_cell(KPI, 3, "month", "2010-01"),
         errors=((KPI, 3, "month", "alpha, 2010-01", "duplicate_key"),),
         message=("duplicate of row 2",)),
    Case("duplicate_audit_item", set_cell(FIVE, 4, "audit_date", "24/03/2010"),
         errors=((FIVE, 4, "item", "alpha, 2010-03-24, press, sort, unneeded_items_removed",
                  "duplicate_key"),)),
    Case("duplicate_respondent", set_cell(SURVEY, 3, "respondent_id", "R01"),
         errors=((SURVEY, 3, "respondent_id", "alpha, baseline, R01",
                  "duplicate_key"),)),
    Case("duplicate_codebook_item",
         append_row(BOOK, ["com2", "communication", "", "", "false", "1", "5"]),
         errors=((BOOK, 5, "item_id", "com2", "duplicate_key"),)),
    # ---- numbers
    Case("text_in_number_column", set_cell(KPI, 4, "worker_hours", "lots"),
         errors=((KPI, 4, "worker_hours", "lots", "not_a_number"),), message=("not a number",)),
    Case("decimal_comma_quoted", set_cell(KPI, 4, "worker_hours", "17100,5"),
         errors=((KPI, 4, "worker_hours", "17100,5", "decimal_comma"),),
         message=("decimal comma",)),
    Case("decimal_comma_unquoted", edit_text(KPI, lambda t: t.replace(",17100,", ",17100,5,")),
         errors=((KPI, 4, "", KPI_ROW_4, "row_too_long"),),
         message=("row has 15 values but the header has 14 columns (a decimal comma",)),
    Case("infinite_number", set_cell(KPI, 4, "output_units", "inf"),
         errors=((KPI, 4, "output_units", "inf", "not_a_number"),)),
    Case("overflowing_number", set_cell(KPI, 4, "output_units", "1e400"),
         errors=((KPI, 4, "output_units", "1e400", "not_a_number"),)),
    Case("fraction_in_count", set_cell(KPI, 2, "headcount", "100.5"),
         errors=((KPI, 2, "headcount", "100.5", "whole_number"),)),
    Case("negative_count", set_cell(KPI, 5, "units_rejected", "-5"),
         errors=((KPI, 5, "units_rejected", "-5", "minimum"),), message=("must not be negative",)),
    Case("employees_zero", set_cell(ENT, 2, "employees", "0"),
         errors=((ENT, 2, "employees", "0", "minimum"),)),
    Case("rejects_above_produced", set_cell(KPI, 7, "units_rejected", "60000"),
         errors=((KPI, 7, "units_rejected", "60000", "at_most"),),
         message=("units_rejected is larger than units_produced (53,100)",)),
    Case("rework_above_produced", set_cell(KPI, 2, "units_reworked", "99999"),
         errors=((KPI, 2, "units_reworked", "99999", "at_most"),)),
    Case("absent_above_scheduled", set_cell(KPI, 9, "workdays_absent", "1000"),
         errors=((KPI, 9, "workdays_absent", "1000", "at_most"),),
         message=("workdays_absent is larger than workdays_scheduled (900)",)),
    Case("implemented_above_submitted", set_cell(KPI, 6, "suggestions_implemented", "20"),
         errors=((KPI, 6, "suggestions_implemented", "20",
                  "at_most"),)),
    # ---- dates and months
    Case("impossible_date", set_cell(MILE, 2, "date", "2010-02-30"),
         errors=((MILE, 2, "date", "2010-02-30", "date_format"),)),
    Case("impossible_day_first_date", set_cell(MILE, 3, "date", "31/04/2010"),
         errors=((MILE, 3, "date", "31/04/2010", "date_format"),)),
    Case("month_thirteen", set_cell(ENT, 2, "intervention_month", "2010-13"),
         errors=((ENT, 2, "intervention_month", "2010-13", "month_format"),)),
    Case("month_in_words", set_cell(ENT, 2, "intervention_month", "April 2010"),
         errors=((ENT, 2, "intervention_month", "April 2010", "month_format"),),
         message=("did you mean 2010-04?",)),
    Case("month_without_zero", set_cell(ENT, 2, "intervention_month", "2010-4"),
         errors=((ENT, 2, "intervention_month", "2010-4", "month_format"),),
         message=("did you mean 2010-04?",)),
    Case("month_with_slash", set_cell(KPI, 11, "month", "2010/10"),
         errors=((KPI, 11, "month", "2010/10", "month_format"),),
         message=("did you mean 2010-10?",)),
    Case("month_abbreviated", set_cell(KPI, 4, "month", "Mar-2010"),
         errors=((KPI, 4, "month", "Mar-2010", "month_format"),),
         message=("did you mean 2010-03?",)),
    Case("date_with_slashes_year_first", set_cell(MILE, 2, "date", "2010/03/22"),
         errors=((MILE, 2, "date", "2010/03/22", "date_format"),),
         message=("did you mean 2010-03-22?",)),
    Case("month_in_future", set_cell(KPI, 13, "month", "2099-01"),
         errors=((KPI, 13, "month", "2099-01", "month_in_future"),),
         message=("the month is in the future",)),
    Case("month_before_1990", set_cell(KPI, 13, "month", "1989-12"),
         errors=((KPI, 13, "month", "1989-12", "month_too_early"),)),
    Case("date_in_future", set_cell(FIVE, 4, "audit_date", "2099-01-01"),
         errors=((FIVE, 4, "audit_date", "2099-01-01", "date_in_future"),)),
    # ---- coded values
    Case("pillar_misspelt", set_cell(FIVE, 3, "pillar", "shinee"),
         errors=((FIVE, 3, "pillar", "shinee", PILLAR_RULE),),
         message=("did you mean 'shine'?",)),
    Case("data_source_unknown", set_cell(ENT, 2, "data_source", "real"),
         errors=((ENT, 2, "data_source", "real", "one_of"),)),
    Case("wave_unknown", set_cell(SURVEY, 2, "wave", "midline"),
         errors=((SURVEY, 2, "wave", "midline", "one_of"),)),
    Case("kind_unknown", set_cell(QUAL, 3, "kind", "tip"),
         errors=((QUAL, 3, "kind", "tip", "one_of"),)),
    Case("reverse_not_boolean", set_cell(BOOK, 2, "reverse", "maybe"),
         errors=((BOOK, 2, "reverse", "maybe", "boolean"),)),
    Case("required_value_blank", set_cell(ENT, 2, "name", ""),
         errors=((ENT, 2, "name", "", "required_value"),),
         message=("the value is required and the cell is blank",)),
    # ---- scales
    Case("score_outside_scale", set_cell(FIVE, 2, "score", "5"),
         errors=((FIVE, 2, "score", "5", "within_scale"),),
         message=("score is outside the scale 0-4",)),
    Case("negative_score", set_cell(FIVE, 2, "score", "-1"),
         errors=((FIVE, 2, "score", "-1", "within_scale"),)),
    Case("scale_min_not_below_max", set_cell(FIVE, 5, "scale_max", "0"),
         errors=((FIVE, 5, "scale_max", "0", "scale_order"),)),
    Case("likert_out_of_range", set_cell(SURVEY, 2, "com1", "7"),
         errors=((SURVEY, 2, "com1", "7", "answer_in_scale"),)),
    Case("likert_not_whole", set_cell(SURVEY, 2, "com1", "3.5"),
         errors=((SURVEY, 2, "com1", "3.5", "answer_whole_number"),)),
    Case("likert_in_words", set_cell(SURVEY, 2, "sat1", "agree"),
         errors=((SURVEY, 2, "sat1", "agree", "answer_whole_number"),)),
    Case("item_not_in_codebook", add_column(SURVEY, "com9", ["3"]),
         errors=((SURVEY, 1, "com9", "com9", "item_not_in_codebook"),)),
    # ---- identifiers and text
    Case("enterprise_id_path_escape",
         append_row(ENT, ["../evil", "PT Evil", "", "printing", "", "2010-04", "",
                          "simulated"]),
         errors=((ENT, 4, "enterprise_id", "../evil", ID_RULE),),
         message=("no spaces, no '/' or '.'",)),
    Case("enterprise_id_with_spaces",
         append_row(ENT, ["my enterprise", "PT Mine", "", "printing", "", "2010-04", "",
                          "simulated"]),
         errors=((ENT, 4, "enterprise_id", "my enterprise", ID_RULE),)),
    Case("enterprise_id_upper_case", set_cell(KPI, 13, "enterprise_id", "Beta"),
         errors=((KPI, 13, "enterprise_id", "Beta", ID_RULE),),
         message=("did you mean 'beta'?",)),
    Case("extremely_long_text", set_cell(QUAL, 2, "text", LONG),
         errors=((QUAL, 2, "text", LONG[:199] + "…", "text_too_long"),),
         message=("the text is too long",)),
    Case("long_name", set_cell(ENT, 3, "name", "PT " + "B" * 300),
         errors=((ENT, 3, "name", "PT " + "B" * 196 + "…", "text_too_long"),)),
    Case("control_characters_in_value", set_cell(FIVE, 3, "pillar", "sort\x1b[2J\nshine"),
         errors=((FIVE, 3, "pillar", "sort\x1b[2J\nshine", PILLAR_RULE),),
         message=("value 'sort\\x1b[2J\\nshine'",)),
    Case("control_characters_in_header", rename_column(KPI, "accidents", "acci\x1bdents"),
         notes=(("warning", KPI, 1, "acci\x1bdents", "", "unknown_column"),),
         message=("column acci\\x1bdents:",)),
    # ---- whole files
    Case("empty_file", write_bytes(ENT, b""),
         errors=((ENT, None, "", "", "empty_file"),), message=("file is empty",)),
    Case("blank_lines_only", write_bytes(ENT, b"\n \n\n"),
         errors=((ENT, None, "", "", "empty_file"),)),
    Case("header_only", write_bytes(ENT, (MINIMAL / ENT).read_bytes().splitlines()[0] + b"\n"),
         errors=((ENT, None, "", "", "no_data_rows"),)),
    Case("not_csv_at_all",
         write_bytes(ENT, b"<html><body><h1>Enterprises</h1><p>See the attached list.</p>"
                          b"</body></html>\n"),
         errors=((ENT, 1, "", "<html><body><h1>Enterprises</h1><p>See the attached list.</p>"
                  "</body></html>", "header_unknown"),),
         message=("none of the expected columns",)),
    Case("binary_file", write_bytes(KPI, bytes(range(256)) * 8),
         errors=((KPI, None, "", "", "csv_binary"),), message=("file is binary",)),
    Case("workbook_saved_as_csv", write_bytes(KPI, b"PK\x03\x04" + b"\x00" * 60),
         errors=((KPI, None, "", "", "csv_not_workbook"),), message=("Excel workbook",)),
    Case("unclosed_quote",
         edit_text(QUAL, lambda t: t.replace('beta,constraint,Lembur',
                                             'beta,constraint,"Lembur')),
         errors=((QUAL, 3, "", "", "unclosed_quote"),), message=("quote",)),
    Case("title_row_above_header",
         edit_text(KPI, lambda t: "Monthly KPI records 2010,,,\n" + t),
         errors=((KPI, 2, "", "", "header_not_first"),),
         message=("remove the title",)),
    Case("unnamed_column_with_data", add_column(KPI, "", ["x"]),
         errors=((KPI, 1, "#15", "", "unnamed_column_values"),)),
    Case("duplicate_column_name", rename_column(KPI, "worker_hours", "headcount"),
         errors=((KPI, 1, "headcount", "headcount", "duplicate_column"),)),
    Case("row_with_extra_value", edit_text(MILE, lambda t: t.replace(
        "alpha,training,2010-03-22", "alpha,training,2010-03-22,Jakarta")),
        errors=((MILE, 2, "", "alpha,training,2010-03-22,Jakarta",
                 "row_too_long"),)),
    # ---- workbooks and data locations
    Case("wrong_sheet_name", as_workbook(rename={"enterprises": "Enterprise"}),
         errors=(("book.xlsx[enterprises]", None, "", "", "missing_sheet"),),
         notes=(("warning", "book.xlsx[Enterprise]", None, "", "", "unknown_sheet"),),
         message=("did you mean 'enterprises'?",)),
    Case("workbook_title_row", as_workbook(title_row="kpi_monthly"),
         errors=(("book.xlsx[kpi_monthly]", 2, "", "", "header_not_first"),)),
    Case("workbook_error_cell", each(set_cell(KPI, 4, "worker_hours", "#VALUE!"),
                                     as_workbook()),
         errors=(("book.xlsx[kpi_monthly]", 4, "worker_hours", "#VALUE!",
                  "excel_error"),),
         message=("kpi_monthly!D4", "Excel error #VALUE!")),
    Case("workbook_error_in_a_text_column", each(set_cell(FIVE, 3, "area", "#N/A"),
                                                 as_workbook()),
         errors=(("book.xlsx[five_s_audits]", 3, "area", "#N/A", "excel_error"),),
         message=("five_s_audits!D3",)),
    Case("workbook_formula_without_its_value",
         as_workbook(edit=lambda b: b["kpi_monthly"].__setitem__("D4", "=17000+100")),
         errors=(("book.xlsx[kpi_monthly]", 4, "worker_hours", "=17000+100",
                  "formula_without_value"),),
         message=("kpi_monthly!D4", "=17000+100", "open and save the workbook in Excel")),
    Case("workbook_merged_cells",
         as_workbook(edit=lambda b: b["kpi_monthly"].merge_cells("A2:A4")),
         errors=(("book.xlsx[kpi_monthly]", 2, "enterprise_id", "alpha", "merged_cells"),),
         message=("kpi_monthly!A2", "A2:A4 are merged")),
    Case("workbook_hidden_sheet",
         as_workbook(edit=lambda b: setattr(b["milestones"], "sheet_state", "hidden")),
         notes=(("warning", "book.xlsx[milestones]", None, "", "", "hidden_sheet"),)),
    Case("workbook_hidden_rows",
         as_workbook(edit=lambda b: setattr(b["kpi_monthly"].row_dimensions[5], "hidden",
                                            True)),
         notes=(("warning", "book.xlsx[kpi_monthly]", 5, "", "", "hidden_rows"),)),
    Case("unreadable_workbook", each(as_workbook(), write_bytes("book.xlsx", b"PK\x03\x04no")),
         errors=(("book.xlsx", None, "", "", "not_xlsx"),)),
    Case("two_workbooks", each(as_workbook(), copy_file("book.xlsx", "copy.xlsx"),
                               lambda d: d),
         errors=(("minimal", None, "", "book.xlsx, copy.xlsx",
                  "one_workbook"),)),
    Case("data_dir_missing", lambda d: d / "nowhere",
         errors=(("nowhere", None, "", "", "data_location"),)),
    Case("data_is_a_text_file", lambda d: d / QUAL,
         errors=((QUAL, None, "", "", "data_kind"),)),
    # ---- programme and comparison enterprises
    Case("programme_without_intervention_month", set_cell(ENT, 2, "intervention_month", ""),
         errors=((ENT, 2, "intervention_month", "", "programme_without_start"),),
         message=("a programme enterprise needs its intervention_month",)),
    Case("comparison_with_intervention_month",
         each(add_column(ENT, "role", ["", "comparison"]), remove(MILE), remove(IMPL)),
         errors=((ENT, 3, "intervention_month", "2010-04", "comparison_with_start"),),
         notes=(("warning", FIVE, 6, "enterprise_id", "beta", "comparison_rows_unused"),
                ("warning", SURVEY, 6, "enterprise_id", "beta", "comparison_rows_unused")),
         message=("a comparison enterprise took no part in the programme",)),
    Case("comparison_role_misspelt", add_column(ENT, "role", ["", "pembanding"]),
         errors=((ENT, 3, "role", "pembanding", "one_of"),),
         message=("did you mean 'comparison'?",)),
    Case("comparison_with_programme_records",
         each(add_column(ENT, "role", ["", "comparison"]),
              set_cell(ENT, 3, "intervention_month", "")),
         errors=((MILE, 3, "enterprise_id", "beta", "comparison_rows"),
                 (IMPL, 11, "enterprise_id", "beta", "comparison_rows"),
                 (IMPL, 12, "enterprise_id", "beta", "comparison_rows"),
                 (IMPL, 13, "enterprise_id", "beta", "comparison_rows"))),
    Case("comparison_enterprise",
         each(add_column(ENT, "role", ["programme", "comparison"]),
              set_cell(ENT, 3, "intervention_month", ""), remove(MILE), remove(IMPL)),
         notes=(("warning", FIVE, 6, "enterprise_id", "beta", "comparison_rows_unused"),),
         check=lambda t: t["enterprises"]["role"].tolist() == ["programme", "comparison"]
         and t["enterprises"]["intervention_month"].isna().tolist() == [False, True]),
    # ---- implementation records
    Case("implementation_not_yes_no", set_cell(IMPL, 4, "value", "mungkin"),
         errors=((IMPL, 4, "value", "mungkin", "yes_no"),)),
    Case("implementation_done_above_planned", set_cell(IMPL, 8, "value", "12"),
         errors=((IMPL, 8, "value", "12", "item_at_most"),),
         message=("actions_done (12) is larger than actions_planned (10) of the same "
                  "enterprise and visit",)),
    Case("implementation_rating_above_five", set_cell(IMPL, 10, "value", "7"),
         errors=((IMPL, 10, "value", "7", "maximum"),)),
    Case("implementation_count_in_words", set_cell(IMPL, 7, "value", "sepuluh"),
         errors=((IMPL, 7, "value", "sepuluh", "not_a_number"),)),
    Case("implementation_unknown_item", set_cell(IMPL, 5, "item", "eit_member"),
         errors=((IMPL, 5, "item", "eit_member", "one_of"),),
         message=("did you mean 'eit_members'?",)),
    Case("implementation_unknown_visit", set_cell(IMPL, 2, "visit", "kunjungan 1"),
         errors=((IMPL, 2, "visit", "kunjungan 1", "one_of"),),
         message=("did you mean 'visit_1'?",)),
    # ---- values that would be read as another value
    Case("typed_year", set_cell(KPI, 5, "month", "2001-04"),
         errors=((KPI, 5, "month", "2001-04", "month_apart"),),
         message=("2001-04: 9 years before the other months of this enterprise: a typed year? "
                  "did you mean 2010-04?",)),
    Case("percent_sign_in_a_count", set_cell(KPI, 3, "workdays_absent", "5%"),
         errors=((KPI, 3, "workdays_absent", "5%", "not_a_number"),),
         message=("remove the '%' sign",)),
    Case("workbook_percent_in_a_count",
         as_workbook(edit=lambda b: (b["kpi_monthly"]["J3"].__setattr__("value", 0.05),
                                     b["kpi_monthly"]["J3"].__setattr__("number_format",
                                                                        "0%"))),
         errors=(("book.xlsx[kpi_monthly]", 3, "workdays_absent", "0.05", "percent_cell"),),
         message=("kpi_monthly!J3", "Excel shows 5% but stores 0.05")),
    Case("workbook_percent_as_a_5s_score",
         as_workbook(edit=lambda b: (b["five_s_audits"]["G2"].__setattr__("value", 0.75),
                                     b["five_s_audits"]["G2"].__setattr__("number_format",
                                                                          "0%"))),
         errors=(("book.xlsx[five_s_audits]", 2, "score", "0.75", "percent_cell"),),
         message=("five_s_audits!G2", "(a score on its scale 0-4, not a percentage)")),
    Case("workbook_thousands_typed_as_text",
         as_workbook(edit=lambda b: b["kpi_monthly"]["D4"].__setattr__("value", "17.100")),
         errors=(("book.xlsx[kpi_monthly]", 4, "worker_hours", "17.100",
                  "thousands_ambiguous"),),
         message=("is it 17,100 (a whole number with a thousands separator) or 17.1",)),
    # ---- several problems at once: all are reported
    Case("several_problems",
         each(set_cell(KPI, 7, "units_rejected", "60000"), set_cell(FIVE, 3, "pillar", "Sort"),
              set_cell(ENT, 3, "intervention_month", "04/2010")),
         errors=((KPI, 7, "units_rejected", "60000", "at_most"),
                 (FIVE, 3, "pillar", "Sort", PILLAR_RULE),
                 (ENT, 3, "intervention_month", "04/2010", "month_format"))),
    # ---- fixable noise: cleaned and logged, not rejected
    Case("white_space_around_values",
         each(set_cell(KPI, 3, "enterprise_id", "  alpha "),
              set_cell(ENT, 2, "name", "PT Alpha\t")),
         notes=(("info", KPI, None, "enterprise_id", "", "white_space"),
                ("info", ENT, None, "name", "", "white_space")),
         check=lambda t: (t["kpi_monthly"]["enterprise_id"].iloc[1] == "alpha"
                          and t["enterprises"]["name"].iloc[0] == "PT Alpha")),
    Case("trailing_empty_rows_and_columns",
         edit_text(KPI, lambda t: "".join(line + ",,\n" for line in t.splitlines())
                   + ",,,,\n\n,,\n"),
         notes=(("info", KPI, None, "", "", "empty_rows"),
                ("info", KPI, None, "", "", "empty_columns")),
         check=lambda t: t["kpi_monthly"].shape == (12, 14)),
    Case("byte_order_mark", edit_bytes(ENT, lambda b: b"\xef\xbb\xbf" + b),
         notes=(("info", ENT, None, "", "", "bom"),),
         check=lambda t: t["enterprises"].columns[0] == "enterprise_id"),
    Case("windows_1252_file",
         edit_bytes(ENT, lambda b: b.replace(b"PT Beta", "PT Béta".encode("cp1252"))),
         notes=(("warning", ENT, None, "", "", "cp1252"),),
         check=lambda t: t["enterprises"]["name"].iloc[1] == "PT Béta"),
    Case("semicolons_and_decimal_commas",
         edit_text(KPI, lambda t: t.replace(",", ";").replace("17100", "17100,5")
                   .replace("6800", "6.800,25")),
         check=lambda t: list(t["kpi_monthly"]["worker_hours"].iloc[[2, 6]])
         == [17100.5, 6800.25]),
    Case("blank_lines_above_header", edit_text(ENT, lambda t: "\n\n" + t),
         notes=(("info", ENT, 3, "", "", "lines_above_header"),)),
    Case("unknown_extra_column", add_column(ENT, "remarks", ["=1+2"]),
         notes=(("warning", ENT, 1, "remarks", "", "unknown_column"),)),
    Case("kpi_header_only", edit_text(KPI, lambda t: t.splitlines()[0] + "\n"),
         notes=(("warning", KPI, None, "enterprise_id", "alpha", "no_kpi_rows"),
                ("warning", KPI, None, "enterprise_id", "beta", "no_kpi_rows")),
         check=lambda t: t["kpi_monthly"].empty),
    Case("workbook_is_valid", as_workbook(),
         check=lambda t: t["milestones"]["date"].dt.strftime("%Y-%m-%d").tolist()
         == ["2010-03-22", "2010-10-14"] and t["kpi_monthly"]["month"].iloc[0] == "2010-01"),
]


# --------------------------------------------------------------------------- running


def _prepare(case: Case, tmp_path: Path) -> Path:
    data = tmp_path / "minimal"
    shutil.copytree(MINIMAL, data)
    return Path(case.mutate(data) or data)


def _key(f) -> tuple:
    return (f.file, f.row, f.column, f.value, f.rule)


def test_the_corpus_is_large_enough():
    assert sum(bool(c.errors) for c in CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)


def test_the_minimal_dataset_is_clean():
    result = validate_inputs(MINIMAL)
    assert result.ok
    assert result.findings == []


@pytest.mark.parametrize("language", ["en", "id"])
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case, language: str, tmp_path: Path, capsys, monkeypatch):
    """The exact findings; ``validate`` and ``run`` answer with them, in English and in
    Bahasa Indonesia, and ``run`` writes nothing when there is an error."""
    data = _prepare(case, tmp_path)
    seen = []  # what the commands validated (each validates once)

    def recording(*args, **kwargs):
        seen.append(validate_inputs(*args, **kwargs))
        return seen[-1]

    monkeypatch.setattr(build, "validate_inputs", recording)
    code = cli.main(["validate", "--language", language, str(data)])
    out, err = capsys.readouterr()
    (result,) = seen
    assert sorted(map(_key, result.errors), key=repr) == sorted(case.errors, key=repr)
    others = {(f.severity, *_key(f)) for f in result.findings if f.severity != "error"}
    for note in case.notes:
        assert note in others
    if case.check is not None:
        assert case.check(result.tables)
    with use_language(language):
        expected = finding_lines(result.findings, result.letters, result.workbook)
        error_lines = finding_lines(result.errors, result.letters, result.workbook)
    assert code == case.exit_code
    assert "Traceback" not in out + err
    assert all(line.isprintable() for line in out.splitlines())  # no terminal escapes
    assert out.splitlines() == expected  # every problem on the standard output, in order
    assert len(err.splitlines()) == 1  # the summary on the standard error
    if language == "en":
        for part in case.message:
            assert part in out
    else:  # nothing of the English messages is left in the Indonesian output
        with use_language("en"):
            english = validate_inputs(data)
        assert [f.rule for f in english.findings] == [f.rule for f in result.findings]
        for f in english.findings:
            assert f.message not in out, f.message
        assert "(rule:" not in out and not re.search(r"^(error|warning):", out, re.M)
        assert " valid " not in err and " error" not in err

    if not case.errors:
        return
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    out_dir = tmp_path / "out"
    code = cli.main(["run", "--language", language, "--data-dir", str(data),
                     "--reports-dir", str(out_dir / "reports"),
                     "--processed-dir", str(out_dir / "processed"), "--quiet"])
    out, err = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in out + err
    assert out.splitlines() == error_lines
    assert ("nothing was written" if language == "en" else "tidak ada yang ditulis") in err
    assert not out_dir.exists()
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


@pytest.mark.parametrize("language", ["en", "id"])
def test_deleting_an_enterprise_row_gives_one_line(language, tmp_path, capsys):
    """The rows of every sheet that use a deleted enterprise are one line, which names the
    sheet to add it to (not a CSV file) and the first rows."""
    data = tmp_path / "minimal"
    shutil.copytree(MINIMAL, data)
    book = as_workbook(edit=lambda b: b["enterprises"].delete_rows(3))(data)  # beta
    uses = sum(1 for p in MINIMAL.glob("*.csv") if p.stem != "enterprises"
               for r in _read_rows(p)[1:] if r and r[0] == "beta")
    sheets = sum(1 for p in MINIMAL.glob("*.csv") if p.stem != "enterprises"
                 and any(r and r[0] == "beta" for r in _read_rows(p)[1:]))
    assert uses >= 10 and sheets >= 3
    assert cli.main(["validate", "--language", language, str(book)]) == 2
    out = capsys.readouterr().out.splitlines()
    expected = {
        "en": f"error: enterprise 'beta' is missing from the enterprises sheet; used by {uses} "
              f"rows on {sheets} sheets, first: ",
        "id": f"kesalahan: perusahaan 'beta' tidak ada di lembar enterprises; dipakai oleh "
              f"{uses} baris di {sheets} lembar, yang pertama: "}[language]
    assert len(out) == 1 and out[0].startswith(expected), out
