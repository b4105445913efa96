"""Findings and their words (score_analysis.data.findings, score_analysis.data.messages).

A finding holds a language-neutral rule code and the values of its message; the rule
and the message are rendered from the code through the catalog in the reader's
language, repeated findings of one cause are one line, and the quality log keeps the
code.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from score_analysis.data.contract import RuleCode
from score_analysis.data.findings import (
    GROUP_FROM,
    Finding,
    cause_counts,
    finding_line,
    finding_lines,
    logged_message,
    quality_log_frame,
)
from score_analysis.data.messages import RULES, has_message, render_message, render_rule
from score_analysis.i18n import use_language

SMALL = Path(__file__).parent / "data" / "small"


def test_findings_are_built_with_keywords_and_hold_codes():
    with pytest.raises(TypeError):
        Finding("kpi_monthly.csv", 2, "month", "x", "month_format", "error")  # type: ignore[misc]
    f = Finding(file="kpi_monthly.csv", row=2, column="month", value="x",
                rule=RuleCode.MONTH_FORMAT)
    assert f.rule == "month_format" and f.severity == "error"
    assert Finding(file="a.csv", rule="month_format").rule is RuleCode.MONTH_FORMAT
    with pytest.raises(ValueError):
        Finding(file="a.csv", rule="month as YYYY-MM")  # English prose is no rule code
    assert len({f, Finding(file="kpi_monthly.csv", row=2, column="month", value="x",
                           rule=RuleCode.MONTH_FORMAT)}) == 1  # hashable, with its params


# --------------------------------------------------------------------------- grouped lines


def _unknown_everywhere(n_kpi: int) -> list[Finding]:
    def unknown(sheet: str, row: int) -> Finding:
        return Finding(file=f"book.xlsx[{sheet}]", row=row, column="enterprise_id",
                       value="maju_jaya", rule=RuleCode.UNKNOWN_ENTERPRISE,
                       params={"workbook": True})

    findings = [unknown("kpi_monthly", r) for r in range(2, 2 + n_kpi)]
    for sheet in ("milestones", "five_s_audits", "worker_survey", "qualitative"):
        findings += [unknown(sheet, r) for r in range(2, 7)]
    return findings


def test_one_missing_enterprise_is_one_line_however_many_rows_use_it():
    findings = _unknown_everywhere(87)
    assert len(findings) == 107
    letters = {f.file: {"enterprise_id": "A"} for f in findings}
    assert finding_lines(findings, letters, "book.xlsx") == [
        "error: enterprise 'maju_jaya' is missing from the enterprises sheet; used by 107 rows "
        "on 5 sheets, first: kpi_monthly!A2, kpi_monthly!A3, kpi_monthly!A4 "
        "(rule: enterprise listed in enterprises)"]
    assert cause_counts(findings) == {"error": 1, "warning": 0, "info": 0}


def test_a_missing_enterprise_in_csv_files_names_the_file():
    findings = [Finding(file=file, row=2, column="enterprise_id", value="maju_jaia",
                        rule=RuleCode.UNKNOWN_ENTERPRISE, params={"suggestion": "maju_jaya"})
                for file in ("kpi_monthly.csv", "milestones.csv")]
    assert findings[0].message == ("unknown enterprise: add it to enterprises.csv; did you "
                                   "mean 'maju_jaya'?")
    assert finding_lines(findings) == [
        "error: enterprise 'maju_jaia' is missing from enterprises.csv; used by 2 rows on 2 "
        "files, first: kpi_monthly.csv row 2, milestones.csv row 2; did you mean 'maju_jaya'? "
        "(rule: enterprise listed in enterprises)"]
    with use_language("id"):
        (line,) = finding_lines(findings)
    assert line.startswith("kesalahan: perusahaan 'maju_jaia' tidak ada di enterprises.csv; "
                           "dipakai oleh 2 baris di 2 file, yang pertama: kpi_monthly.csv "
                           "baris 2, milestones.csv baris 2")


def test_repeated_findings_in_one_column_are_one_line_with_the_count_and_first_places():
    findings = [Finding(file="kpi_monthly.csv", row=r, column="month", value=f"2010/{r}",
                        rule=RuleCode.MONTH_FORMAT) for r in range(2, 12)]
    other = Finding(file="kpi_monthly.csv", row=3, column="headcount", value="lots",
                    rule=RuleCode.NOT_A_NUMBER)
    lines = finding_lines([*findings, other])
    assert lines == [
        "error: kpi_monthly.csv, row 2, column month: value '2010/2': not a month in the form "
        "YYYY-MM (rule: month as YYYY-MM) [and 9 more rows like it: 3, 4, 5, …]",
        "error: kpi_monthly.csv, row 3, column headcount: value 'lots': not a number: type the "
        "number with digits (0-9), or leave the cell blank when it is not recorded "
        "(rule: number)"]
    assert cause_counts([*findings, other])["error"] == 2  # causes, not rows
    few = findings[:GROUP_FROM - 1]
    assert len(finding_lines(few)) == len(few)  # a few are shown one by one
    # in a workbook, the first cells
    book = [Finding(file="b.xlsx[kpi_monthly]", row=f.row, column="month", value=f.value,
                    rule=RuleCode.MONTH_FORMAT) for f in findings]
    (line,) = finding_lines(book, {"b.xlsx[kpi_monthly]": {"month": "B"}}, "b.xlsx")
    assert line.startswith("error: b.xlsx, kpi_monthly!B2, column month:")
    assert line.endswith("[and 9 more cells like it: B3, B4, B5, …]")


def test_missing_months_of_one_enterprise_are_one_line():
    def gap(eid: str, month: str) -> Finding:
        return Finding(file="kpi_monthly.csv", column="month", value=month,
                       rule=RuleCode.MISSING_MONTH, severity="warning",
                       params={"enterprise": eid, "month": month}, enterprise_id=eid)

    findings = [gap("alpha", f"2009-{m:02d}") for m in range(1, 13)] + [gap("beta", "2010-02")]
    lines = finding_lines(findings)
    assert lines == [
        "warning: kpi_monthly.csv, column month: value '2009-01': alpha: month 2009-01 is "
        "missing (left out of the models) (rule: no missing month inside a series) "
        "[and 11 more like it: 2009-02, 2009-03, 2009-04, …]",
        "warning: kpi_monthly.csv, column month: value '2010-02': beta: month 2010-02 is "
        "missing (left out of the models) (rule: no missing month inside a series)"]
    assert cause_counts(findings)["warning"] == 2


def test_workbook_findings_name_the_sheet_and_cell():
    letters = {"book.xlsx[kpi_monthly]": {"enterprise_id": "A", "headcount": "C"}}
    f = Finding(file="book.xlsx[kpi_monthly]", row=7, column="headcount", value="x",
                rule=RuleCode.WHOLE_NUMBER)
    assert finding_line(f, letters) == ("error: book.xlsx, kpi_monthly!C7, column headcount: "
                                        "value 'x': must be a whole number "
                                        "(rule: whole number)")
    whole = Finding(file="book.xlsx[kpi_monthly]", rule=RuleCode.HIDDEN_SHEET,
                    severity="warning")
    assert finding_line(whole, letters) == (
        "warning: book.xlsx, sheet kpi_monthly: the sheet is hidden in Excel; its rows were "
        "read as data: unhide it and check them (rule: visible sheet)")


# --------------------------------------------------------------------------- words


#: Values for every placeholder a message or a rule can have.
SAMPLE = {
    "path": "data/raw", "error": "Permission denied", "sheet": "kpi_monthly", "row": 4,
    "columns": "enterprise_id, month", "number": 3, "name": "_row", "values": 15,
    "delimiter": ",", "column": "workdays_absent", "n": 2, "rows": "4, 5", "cells": "A2:A4",
    "formula": "=1+2", "thousands": 7304.0, "decimal_value": 7.304, "stored": 0.05,
    "year": "1990", "first": "1990-01", "choices": "sort, shine", "pattern": "[a-z]+",
    "minimum": 1.0, "maximum": 5.0, "limit": 200, "bound": "workdays_scheduled",
    "bound_value": 900.0, "low": "scale_min", "high": "scale_max", "low_value": 0.0,
    "high_value": 4.0, "first_row": 2, "enterprise": "alpha", "table": "milestones",
    "codebook": "survey_items", "scale": "1-5", "item": "actions_done", "value": 5.0,
    "visit": "visit_1", "dates": "2010-10-14, 2010-10-15", "date": "2010-04-03",
    "earlier": "baseline", "earlier_date": "2010-05-01", "month": "2001-04", "months": 108,
    "before": True, "last": "2011-01", "per": "units_produced", "rate": 0.5,
    "median": 0.01, "factor": 5.0, "other": "12.5",
}
#: Rules written as formulas, the same in every language.
FORMULAS = {RuleCode.MINIMUM, RuleCode.MAXIMUM, RuleCode.AT_MOST, RuleCode.SCALE_ORDER,
            RuleCode.WITHIN_SCALE}


def test_every_rule_code_has_its_rule_and_message_in_both_languages():
    assert set(RULES) == set(RuleCode)
    assert all(has_message(code) for code in RuleCode)
    for code in RuleCode:
        words = {}
        for language in ("en", "id"):
            with use_language(language):
                words[language] = (render_rule(code, SAMPLE),
                                   render_message(code, "7.304", SAMPLE))
            for text in words[language]:
                assert text and not re.search(r"\{\w+\}", text), (code, language, text)
        if code not in FORMULAS:
            assert words["id"][0] != words["en"][0], code
        assert words["id"][1] != words["en"][1], code


def test_numbers_in_messages_are_written_as_the_reader_writes_them():
    f = Finding(file="k.csv", row=7, column="units_rejected", value="60000",
                rule=RuleCode.AT_MOST, params={"column": "units_rejected",
                                               "bound": "units_produced",
                                               "bound_value": 53100.0})
    assert f.message == "units_rejected is larger than units_produced (53,100)"
    with use_language("id"):
        assert f.message == "units_rejected lebih besar daripada units_produced (53.100)"


def test_the_catalog_translates_every_message_of_the_data_checks_and_the_command_line():
    """No empty or fuzzy Indonesian entry for a message of the readers, validation, the
    findings and their words, the template or the command line, and every translation
    keeps the placeholders of its English."""
    from babel.messages.extract import extract_from_file
    from babel.messages.pofile import read_po

    from score_analysis import cli, i18n
    from score_analysis.data import demo, findings, messages, readers, template, validation
    from score_analysis.data.contract import tables, words

    po = Path(i18n.LOCALE_DIR) / "id" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as fh:
        catalog = read_po(fh, locale="id")
    files: list[Path] = []
    for module in (cli, demo, findings, messages, template, tables, words, readers, validation):
        path = Path(module.__file__)  # a package: every module in it
        files += sorted(path.parent.glob("*.py")) if path.name == "__init__.py" else [path]
    seen = 0
    for file in files:
        for _, message, _, context in extract_from_file("python", file):
            msgid = message if isinstance(message, str) else message[0]
            entry = catalog.get(msgid, context=context)
            assert entry is not None and not entry.fuzzy, (file.name, msgid)
            strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
            for text in strings:
                assert text, msgid
                fields = sorted(re.findall(r"\{[^}]*\}|%\(\w+\)s", text))
                assert fields == sorted(re.findall(r"\{[^}]*\}|%\(\w+\)s", msgid)), msgid
            seen += 1
    assert seen > 300


def test_the_quality_log_keeps_the_rule_code_and_renders_in_any_language():
    from score_analysis.data.readers import read_raw
    from score_analysis.data.validation import validate

    with use_language("id"):
        result = validate(read_raw(SMALL), today=dt.date(2026, 1, 15))
        log = quality_log_frame(result.findings)
    (gap,) = [f for f in result.findings if f.severity == "warning"]
    assert gap.rule == "missing_month"  # the same in every language
    row = log.iloc[0]
    assert list(log.columns) == ["file", "row", "column", "value", "rule", "severity",
                                 "message", "enterprise_id", "params"]
    assert (row["rule"], row["severity"]) == ("missing_month", "warning")
    assert row["message"] == ("trijaya_teknik: bulan 2009-11 tidak ada (tidak diikutkan dalam "
                              "model)")
    assert logged_message(row["rule"], row["value"], row["params"]) == (
        "trijaya_teknik: month 2009-11 is missing (left out of the models)")


def test_the_data_contract_page_lists_every_rule_code():
    docs = (Path(__file__).parent.parent / "docs" / "data_contract.md").read_text(
        encoding="utf-8")
    for code in RuleCode:
        assert f"| `{code.value}` |" in docs, code
