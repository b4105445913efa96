"""Validation and cleaning of the input tables (score_analysis.data.validation).

The corpus in test_bad_input.py checks the findings of broken files end to
end; these tests check the parsing rules, the typed tables and the warnings.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from score_analysis.data.contract import TABLES
from score_analysis.data.findings import Finding
from score_analysis.data.readers import ROW, RawData, RawTable, read_raw
from score_analysis.data.validation import JUMP_FACTOR, validate

MINIMAL = Path(__file__).parent / "data" / "minimal"
TODAY = dt.date(2026, 1, 15)


def _raw(tables: dict[str, list[list[str]]], *, decimal: str = ".",
         from_excel: bool = False) -> RawData:
    """Tables given as rows of text (header first), as the reader returns them."""
    raw = read_raw(MINIMAL)
    for name, rows in tables.items():
        frame = pd.DataFrame(rows[1:], columns=rows[0], dtype=object)
        frame[ROW] = list(range(2, len(rows) + 1))
        raw.tables[name] = RawTable(name, f"{name}.csv", f"{name}.csv", frame, decimal,
                                    from_excel)
    return raw


def _one_column(kind: str, values: list[str], *, decimal: str = ".",
                from_excel: bool = False) -> tuple[pd.Series, list[Finding]]:
    """Parse ``values`` in a column of ``kind`` of a KPI-like table."""
    column = {"integer": "headcount", "number": "worker_hours", "month": "month"}[kind]
    if column == "month":
        rows = [["enterprise_id", "month"]] + [["alpha", v] for v in values]
    else:
        rows = [["enterprise_id", "month", column]] + [
            ["alpha", f"{2010 + i // 12}-{i % 12 + 1:02d}", v] for i, v in enumerate(values)]
    result = validate(_raw({"kpi_monthly": rows}, decimal=decimal, from_excel=from_excel),
                      today=TODAY)
    errors = [f for f in result.errors if f.column == column]
    series = result.tables["kpi_monthly"][column] if result.ok else None
    return series, errors


def _errors(result) -> list[tuple]:
    return [(f.file, f.row, f.column, f.value, f.rule) for f in result.errors]


# --------------------------------------------------------------------------- parsing


def test_minimal_dataset_gives_typed_tables():
    result = validate(read_raw(MINIMAL), today=TODAY)
    assert result.ok and result.findings == []
    t = result.tables
    assert set(t) == set(TABLES)
    assert all(ROW not in frame.columns for frame in t.values())
    kpi = t["kpi_monthly"]
    assert str(kpi["headcount"].dtype) == "Int64" and kpi["worker_hours"].dtype == np.float64
    assert kpi["output_units"].isna().sum() == 6  # beta does not track output
    assert t["enterprises"]["employees"].tolist()[0] == 120
    assert pd.isna(t["enterprises"]["employees"].tolist()[1])
    assert t["milestones"]["date"].tolist() == [pd.Timestamp("2010-03-22"),
                                                pd.Timestamp("2010-10-14")]
    assert t["survey_items"]["reverse"].tolist() == [False, True, False]
    assert str(t["worker_survey"]["com1"].dtype) == "Int64"
    assert t["worker_survey"]["respondent_id"].isna().tolist() == [False] * 4 + [True]


def test_validation_does_not_change_its_input():
    raw = read_raw(MINIMAL)
    before = {n: t.frame.copy() for n, t in raw.tables.items()}
    validate(raw, today=TODAY)
    for name, frame in before.items():
        pd.testing.assert_frame_equal(raw.tables[name].frame, frame)


@pytest.mark.parametrize("text, value", [
    ("12", 12.0), ("12.5", 12.5), ("-0", 0.0), (".5", 0.5), ("1e3", 1000.0), ("+7", 7.0),
])
def test_numbers_with_decimal_points(text, value):
    series, errors = _one_column("number", [text])
    assert errors == [] and series.tolist() == [value]


@pytest.mark.parametrize("text, value", [
    ("12,5", 12.5), ("1.234,5", 1234.5), ("1.234.567", 1234567.0), ("12.5", 12.5),
    ("7", 7.0),
])
def test_numbers_with_decimal_commas(text, value):
    series, errors = _one_column("number", [text], decimal=",")
    assert errors == [] and series.tolist() == [value]


@pytest.mark.parametrize("text", ["1,234", "12,5", "1 000", "12.5.1", "nan", "Infinity", "0x10",
                                  "12%", "Rp 5"])
def test_not_numbers_in_comma_separated_files(text):
    _, errors = _one_column("number", [text])
    assert [(e.row, e.value) for e in errors] == [(2, text)]


def test_whole_numbers():
    series, errors = _one_column("integer", ["12", "12.0", "1e2", ""])
    assert errors == [] and series.tolist()[:3] == [12, 12, 100] and pd.isna(series.iloc[3])
    _, errors = _one_column("integer", ["12.5", str(2**60)])
    assert [(e.value, e.rule) for e in errors] == [("12.5", "whole number"),
                                                   (str(2**60), "whole number below 2^53")]


def test_months_are_yyyy_mm_and_from_a_workbook_may_be_dates():
    series, errors = _one_column("month", ["2010-04", "1990-01", "2026-01"])
    assert errors == [] and series.tolist() == ["2010-04", "1990-01", "2026-01"]
    _, errors = _one_column("month", ["2010-4", "2010-04-01", "04/2010", "2026-02"])
    assert [(e.value, e.rule) for e in errors] == [
        ("2010-4", "month as YYYY-MM"), ("2010-04-01", "month as YYYY-MM"),
        ("04/2010", "month as YYYY-MM"), ("2026-02", "month not in the future")]
    series, errors = _one_column("month", ["2010-04-01"], from_excel=True)
    assert errors == [] and series.tolist() == ["2010-04"]


def test_dates_are_iso_or_day_first():
    rows = [["enterprise_id", "milestone", "date"], ["alpha", "a", "2010-03-22"],
            ["alpha", "b", "22/03/2010"], ["alpha", "c", "1/2/2010"],
            ["alpha", "d", "03/22/2010"], ["alpha", "e", "2026-01-16"],
            ["alpha", "f", "31/12/1989"], ["alpha", "g", "2010-3-22"]]
    result = validate(_raw({"milestones": rows}), today=TODAY)
    assert [(row, value, rule) for _, row, _, value, rule in _errors(result)] == [
        (5, "03/22/2010", "date as YYYY-MM-DD or DD/MM/YYYY"),
        (6, "2026-01-16", "date not in the future"),
        (7, "31/12/1989", "date from 1990"),
        (8, "2010-3-22", "date as YYYY-MM-DD or DD/MM/YYYY")]
    rows = rows[:4]
    dates = validate(_raw({"milestones": rows}), today=TODAY).tables["milestones"]["date"]
    assert dates.tolist() == [pd.Timestamp("2010-03-22")] * 2 + [pd.Timestamp("2010-02-01")]


@pytest.mark.parametrize("text, value", [("true", True), ("TRUE", True), ("Ya", True),
                                         ("1", True), ("yes", True), ("false", False),
                                         ("tidak", False), ("0", False), ("No", False)])
def test_booleans_in_both_languages(text, value):
    rows = [list(TABLES["survey_items"].column_names),
            ["com1", "communication", "", "", "false", "1", "5"],
            ["com2", "communication", "", "", text, "1", "5"],
            ["sat1", "job_satisfaction", "", "", "false", "1", "5"]]
    result = validate(_raw({"survey_items": rows}), today=TODAY)
    assert result.ok
    assert result.tables["survey_items"]["reverse"].tolist()[1] is value


def test_every_error_is_reported_at_once_errors_first_in_file_order():
    raw = _raw({
        "qualitative": [["enterprise_id", "kind", "text", "language"],
                        ["alpha", "tip", "x", "en"]],
        "enterprises": [list(TABLES["enterprises"].column_names),
                        ["alpha", "PT Alpha", "", "printing", "-3", "2010-04", "", "",
                         "simulated"],
                        ["beta", "", "", "garment", "", "2010-13", "", "", "simulated"]],
    })
    result = validate(raw, today=TODAY)
    assert not result.ok and result.tables == {}
    assert [(f.file, f.row, f.column) for f in result.errors] == [
        ("enterprises.csv", 2, "employees"), ("enterprises.csv", 3, "name"),
        ("enterprises.csv", 3, "intervention_month"), ("qualitative.csv", 2, "kind")]


# --------------------------------------------------------------------------- warnings


def test_missing_month_and_implausible_jump_are_warnings():
    raw = read_raw(MINIMAL)
    frame = raw.tables["kpi_monthly"].frame
    frame = frame[(frame["enterprise_id"] != "beta") | (frame["month"] != "2010-03")].copy()
    frame.loc[(frame["enterprise_id"] == "alpha") & (frame["month"] == "2010-06"),
              "units_rejected"] = "40000"
    raw.tables["kpi_monthly"] = RawTable("kpi_monthly", "kpi_monthly.csv", "", frame)
    result = validate(raw, today=TODAY)
    assert result.ok
    warnings = [(f.row, f.column, f.value, f.rule) for f in result.findings
                if f.severity == "warning"]
    assert warnings == [(None, "month", "beta 2010-03", "no missing month inside a series"),
                        (7, "units_rejected", "40000", "plausible month-to-month values")]
    assert f"more than {JUMP_FACTOR:g} times" in next(
        f.message for f in result.findings if f.rule == "plausible month-to-month values")


def test_unknown_columns_and_enterprises_without_kpis_are_warnings():
    raw = read_raw(MINIMAL)
    ents = raw.tables["enterprises"].frame.copy()
    ents.loc[len(ents)] = ["gamma", "PT Gamma", "", "printing", "", "2010-04", "",
                           "simulated", 4]
    ents["remarks"] = "x"
    raw.tables["enterprises"] = RawTable("enterprises", "enterprises.csv", "", ents)
    result = validate(raw, today=TODAY)
    assert result.ok
    assert [(f.column, f.value, f.rule) for f in result.findings if f.severity == "warning"] == [
        ("remarks", "", "known columns"), ("enterprise_id", "gamma", "KPI rows per enterprise")]
    assert "remarks" not in result.tables["enterprises"].columns


def test_survey_answers_are_checked_against_the_codebook():
    raw = read_raw(MINIMAL)
    survey = raw.tables["worker_survey"].frame.copy()
    survey["sat1"] = ["5", "1", "0", "6", ""]
    raw.tables["worker_survey"] = RawTable("worker_survey", "worker_survey.csv", "", survey)
    result = validate(raw, today=TODAY)
    assert [(f.row, f.value, f.rule) for f in result.errors] == [
        (4, "0", "answer within the item's scale 1-5"),
        (5, "6", "answer within the item's scale 1-5")]


def test_findings_name_the_enterprise_of_their_record():
    """Row-level findings and series warnings carry the enterprise id (for each report's
    data-quality section); file-level findings do not."""
    rows = [["enterprise_id", "month", "headcount"],
            ["alpha", "2010-01", "10"], ["alpha", "2010-03", "-1"]]
    result = validate(_raw({"kpi_monthly": rows}), today=TODAY)
    negative = [f for f in result.errors if f.column == "headcount"]
    assert [(f.row, f.enterprise_id) for f in negative] == [(3, "alpha")]
    rows[2][2] = "12"
    result = validate(_raw({"kpi_monthly": rows}), today=TODAY)
    gap = [f for f in result.findings if f.rule == "no missing month inside a series"]
    assert [f.enterprise_id for f in gap] == ["alpha"]
    unknown = [["enterprise_id", "month"], ["../etc", "2010-01"]]
    result = validate(_raw({"kpi_monthly": unknown}), today=TODAY)
    assert {f.enterprise_id for f in result.errors} == {""}


# --------------------------------------------------------------------------- suggestions


@pytest.mark.parametrize(("text", "month"), [
    ("2010-4", "2010-04"), ("2010/10", "2010-10"), ("2010.04", "2010-04"),
    ("4/2010", "2010-04"), ("04-2010", "2010-04"), ("Mar-2010", "2010-03"),
    ("March 2010", "2010-03"), ("Maret 2010", "2010-03"), ("Agustus 2010", "2010-08"),
    ("mar-10", "2010-03"), ("2010-Mar", "2010-03"), ("2010-04-15", "2010-04"),
    ("15/04/2010", "2010-04"), ("2010-13", None), ("lots", None), ("Foo 2010", None),
])
def test_month_suggestion(text, month):
    from score_analysis.data.validation import month_suggestion

    assert month_suggestion(text) == month


def test_month_suggestion_reads_an_excel_day_number_only_in_a_workbook():
    from score_analysis.data.validation import month_suggestion

    assert month_suggestion("40269", excel=True) == "2010-04"  # 2010-04-01
    assert month_suggestion("40269") is None


@pytest.mark.parametrize(("text", "date"), [
    ("2010/03/22", "2010-03-22"), ("22-03-2010", "2010-03-22"), ("22.03.2010", "2010-03-22"),
    ("03/22/2010", "2010-03-22"), ("22 Maret 2010", "2010-03-22"), ("22-Mar-10", "2010-03-22"),
    ("March 22, 2010", "2010-03-22"), ("2010-02-30", None), ("soon", None),
])
def test_date_suggestion(text, date):
    from score_analysis.data.validation import date_suggestion

    assert date_suggestion(text) == date


@pytest.mark.parametrize(("value", "suggestion"), [
    ("maju_jaia", "maju_jaya"), ("Maju Jaya", "maju_jaya"), ("MAJU_JAYA", "maju_jaya"),
    ("sinar", None), ("maju_jaya", None),
])
def test_enterprise_suggestion(value, suggestion):
    from score_analysis.data.validation import enterprise_suggestion

    assert enterprise_suggestion(value, ["maju_jaya", "sinar_abadi"]) == suggestion


def test_a_month_written_another_way_gets_a_suggestion_in_both_languages():
    from score_analysis.i18n import use_language

    for language, expected in (("en", "did you mean 2010-10?"), ("id", "maksud Anda 2010-10?")):
        with use_language(language):
            _, errors = _one_column("month", ["2010-01", "2010/10"])
        (error,) = errors
        assert error.rule == "month as YYYY-MM"  # the rule code never changes
        assert error.message.endswith(expected)


# --------------------------------------------------------------------------- grouped findings


def _unknown_everywhere(n_kpi: int) -> list[Finding]:
    findings = [Finding("book.xlsx[kpi_monthly]", r, "enterprise_id", "maju_jaya",
                        "enterprise listed in enterprises.csv", "error",
                        "unknown enterprise: add it to the enterprises sheet")
                for r in range(2, 2 + n_kpi)]
    for sheet in ("milestones", "five_s_audits", "worker_survey", "qualitative"):
        findings += [Finding(f"book.xlsx[{sheet}]", r, "enterprise_id", "maju_jaya",
                             "enterprise listed in enterprises.csv", "error",
                             "unknown enterprise: add it to the enterprises sheet")
                     for r in range(2, 7)]
    return findings


def test_one_missing_enterprise_is_one_line_however_many_rows_use_it():
    from score_analysis.data.validation import finding_lines

    findings = _unknown_everywhere(87)
    assert len(findings) == 107
    letters = {f.file: {"enterprise_id": "A"} for f in findings}
    assert finding_lines(findings, letters, "book.xlsx") == [
        "error: enterprise 'maju_jaya' is missing from the enterprises sheet; used by 107 rows "
        "on 5 sheets, first: kpi_monthly row 2, kpi_monthly row 3, kpi_monthly row 4 "
        "(rule: enterprise listed in enterprises.csv)"]


def test_a_missing_enterprise_in_csv_files_names_the_file():
    from score_analysis.data.validation import finding_lines
    from score_analysis.i18n import use_language

    findings = [Finding(file, 2, "enterprise_id", "maju_jaia",
                        "enterprise listed in enterprises.csv", "error",
                        "unknown enterprise: add it to enterprises.csv; did you mean "
                        "'maju_jaya'?") for file in ("kpi_monthly.csv", "milestones.csv")]
    assert finding_lines(findings) == [
        "error: enterprise 'maju_jaia' is missing from enterprises.csv; used by 2 rows on 2 "
        "files, first: kpi_monthly.csv row 2, milestones.csv row 2; did you mean 'maju_jaya'? "
        "(rule: enterprise listed in enterprises.csv)"]
    with use_language("id"):
        (line,) = finding_lines(findings)
    assert line.startswith("kesalahan: perusahaan 'maju_jaia' tidak ada di enterprises.csv; "
                           "dipakai oleh 2 baris di 2 file, yang pertama: kpi_monthly.csv "
                           "baris 2, milestones.csv baris 2")


def test_repeated_findings_in_one_column_are_one_line_with_the_count_and_first_rows():
    from score_analysis.data.validation import GROUP_FROM, finding_lines

    findings = [Finding("kpi_monthly.csv", r, "month", f"2010/{r}", "month as YYYY-MM",
                        "error", "not a month in the form YYYY-MM") for r in range(2, 12)]
    other = Finding("kpi_monthly.csv", 3, "headcount", "x", "number", "error", "not a number")
    lines = finding_lines([*findings, other])
    assert lines == [
        "error: kpi_monthly.csv, row 2, column month: value '2010/2': not a month in the form "
        "YYYY-MM (rule: month as YYYY-MM) [and 9 more rows like it: 3, 4, 5, …]",
        "error: kpi_monthly.csv, row 3, column headcount: value 'x': not a number "
        "(rule: number)"]
    few = findings[:GROUP_FROM - 1]
    assert len(finding_lines(few)) == len(few)  # a few are shown one by one


def test_workbook_findings_name_the_sheet_and_cell():
    from score_analysis.data.validation import finding_line

    letters = {"book.xlsx[kpi_monthly]": {"enterprise_id": "A", "headcount": "C"}}
    f = Finding("book.xlsx[kpi_monthly]", 7, "headcount", "x", "number", "error",
                "not a number")
    assert finding_line(f, letters) == ("error: book.xlsx, kpi_monthly!C7, column headcount: "
                                        "value 'x': not a number (rule: number)")
    whole = Finding("book.xlsx[kpi_monthly]", None, "", "", "visible sheet", "warning", "w")
    assert finding_line(whole, letters) == ("warning: book.xlsx, sheet kpi_monthly: w "
                                            "(rule: visible sheet)")


# --------------------------------------------------------------------------- languages


def _rule_codes() -> list[str]:
    """Every rule code the readers and validation can write (read from the code)."""
    import re as _re

    from score_analysis.data import readers as io
    from score_analysis.data import validation

    source = Path(validation.__file__).read_text() + Path(io.__file__).read_text()
    codes = set(_re.findall(r'pgettext\("rule", "([^"]+)"\)', source))
    return sorted(codes)


def test_every_rule_code_has_indonesian_words():
    from score_analysis.data.validation import rule_label
    from score_analysis.i18n import use_language

    codes = _rule_codes()
    assert len(codes) > 40
    for code in codes:
        with use_language("id"):
            words = rule_label(code.replace("{0}", "7"))
        assert words != code.replace("{0}", "7"), code
    # a formula reads the same in both languages; the code itself never changes
    with use_language("id"):
        assert rule_label("units_rejected ≤ units_produced") == "units_rejected ≤ units_produced"
        assert rule_label("one of sort, shine") == "salah satu dari sort, shine"


def test_the_catalog_translates_every_message_of_validation_and_the_command_line():
    """No empty or fuzzy Indonesian entry for a message of io.py, validation.py or cli.py,
    and every translation keeps the placeholders of its English."""
    import re as _re

    from babel.messages.extract import extract_from_file
    from babel.messages.pofile import read_po

    from score_analysis import cli, i18n
    from score_analysis.data import demo, template, validation
    from score_analysis.data import readers as io

    po = Path(i18n.LOCALE_DIR) / "id" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as fh:
        catalog = read_po(fh, locale="id")
    seen = 0
    for module in (io, validation, cli, template, demo.tables):
        for _, message, _, context in extract_from_file("python", module.__file__):
            msgid = message if isinstance(message, str) else message[0]
            entry = catalog.get(msgid, context=context)
            assert entry is not None and not entry.fuzzy, (module.__name__, msgid)
            strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
            for text in strings:
                assert text, msgid
                fields = sorted(_re.findall(r"\{[^}]*\}|%\(\w+\)s", text))
                assert fields == sorted(_re.findall(r"\{[^}]*\}|%\(\w+\)s", msgid)), msgid
            seen += 1
    assert seen > 200


def test_a_number_typed_as_text_with_a_thousands_dot_in_a_workbook_is_not_guessed():
    values, errors = _one_column("number", ["17100", "17.100", "17.25"], from_excel=True)
    assert [(e.value, e.rule) for e in errors] == [("17.100", "number typed as a number")]
    assert "is it 17100 or 17.1?" in errors[0].message
    values, errors = _one_column("number", ["17.100"])  # a CSV with '.' decimals: 17.1
    assert errors == [] and values.tolist() == [17.1]


def test_the_quality_log_keeps_the_rule_code_beside_the_translated_message():
    from conftest import SMALL

    from score_analysis.i18n import use_language

    with use_language("id"):
        result = validate(read_raw(SMALL), today=TODAY)
    (gap,) = [f for f in result.findings if f.severity == "warning"]
    assert gap.rule == "no missing month inside a series"  # the same in every language
    assert gap.message == "trijaya_teknik: bulan 2009-11 tidak ada (tidak diikutkan dalam model)"


# --------------------------------------------------------------------------- roles


ENT_HEADER = list(TABLES["enterprises"].column_names)


def _enterprises(*rows: tuple[str, str, str]) -> list[list[str]]:
    """enterprises rows from (enterprise_id, intervention_month, role)."""
    return [ENT_HEADER] + [[eid, f"PT {eid}", "", "printing", "", month, role, "", "simulated"]
                           for eid, month, role in rows]


@pytest.mark.parametrize(("month", "role", "rule"), [
    ("2010-04", "", None), ("2010-04", "programme", None), ("", "comparison", None),
    ("", "", "intervention_month required where role is programme"),
    ("", "programme", "intervention_month required where role is programme"),
    ("2010-04", "comparison", "intervention_month blank where role is comparison"),
])
def test_role_and_intervention_month(month, role, rule):
    from score_analysis.i18n import use_language

    raw = _raw({"enterprises": _enterprises(("alpha", "2010-04", ""), ("beta", month, role))})
    raw.tables.pop("milestones")  # beta's milestone would be an error for a comparison
    raw.tables.pop("implementation")
    result = validate(raw, today=TODAY)
    if rule is None:
        assert result.ok, [f.line() for f in result.errors]
        ents = result.tables["enterprises"]
        assert ents["role"].tolist() == ["programme", role or "programme"]
        assert pd.isna(ents["intervention_month"].iloc[1]) == (month == "")
        return
    assert [(f.row, f.column, f.value, f.rule) for f in result.errors] == [
        (3, "intervention_month", month, rule)]
    for language, words in (("en", "enterprise"), ("id", "perusahaan")):
        with use_language(language):
            (error,) = validate(raw, today=TODAY).errors
        assert words in error.message


def test_a_missing_role_column_means_programme():
    result = validate(read_raw(MINIMAL), today=TODAY)
    assert result.tables["enterprises"]["role"].tolist() == ["programme", "programme"]


def test_rows_of_comparison_enterprises():
    """Programme milestones and implementation records of a comparison enterprise are
    errors; its 5S audits and survey are kept with one warning per table; its monthly
    records and notes are what it is for."""
    raw = _raw({"enterprises": _enterprises(("alpha", "2010-04", ""), ("beta", "", "comparison"))})
    result = validate(raw, today=TODAY)
    assert sorted((f.file, f.row, f.rule) for f in result.errors) == [
        ("implementation.csv", r, "no rows of comparison enterprises") for r in (11, 12, 13)] + [
        ("milestones.csv", 3, "no rows of comparison enterprises")]
    raw.tables.pop("milestones")
    raw.tables.pop("implementation")
    result = validate(raw, today=TODAY)
    assert result.ok
    assert [(f.file, f.value, f.rule) for f in result.findings if f.severity == "warning"] == [
        ("five_s_audits.csv", "beta", "rows of comparison enterprises are not analysed"),
        ("worker_survey.csv", "beta", "rows of comparison enterprises are not analysed")]


# --------------------------------------------------------------------------- implementation


IMPL_HEADER = ["enterprise_id", "visit", "date", "item", "value"]


def _implementation(*rows: tuple[str, str, str], decimal: str = ".", from_excel: bool = False):
    body = [["alpha", visit, "2010-10-14", item, value] for visit, item, value in rows]
    return validate(_raw({"implementation": [IMPL_HEADER, *body]}, decimal=decimal,
                         from_excel=from_excel), today=TODAY)


def test_implementation_values_are_read_by_item():
    result = _implementation(("visit_1", "eit_members", "8"),
                             ("visit_1", "suggestion_scheme", "ya"),
                             ("visit_1", "communication_board", "No"),
                             ("visit_1", "trainer_rating", "5"), ("visit_2", "eit_members", ""))
    assert result.ok, [f.line() for f in result.errors]
    values = result.tables["implementation"]["value"].tolist()
    assert values[:4] == [8.0, 1.0, 0.0, 5.0] and np.isnan(values[4])


@pytest.mark.parametrize(("item", "value", "rule"), [
    ("eit_members", "-1", "≥ 0"), ("eit_members", "2.5", "whole number"),
    ("eit_meetings", "lots", "whole number"), ("trainer_rating", "0", "≥ 1"),
    ("trainer_rating", "6", "≤ 5"), ("suggestion_scheme", "maybe", "yes or no"),
    ("communication_board", "2", "yes or no"), ("item_x", "1", "one of " + ", ".join(
        i.name for i in TABLES["implementation"].items)),
])
def test_bad_implementation_values_name_the_cell(item, value, rule):
    result = _implementation(("visit_1", item, value))
    assert [(f.row, f.column if f.column != "item" else "value", f.value if f.column != "item"
             else value, f.rule) for f in result.errors] == [(2, "value", value, rule)]


def test_implementation_bounds_hold_within_an_enterprise_and_visit():
    result = _implementation(("visit_1", "actions_planned", "4"), ("visit_1", "actions_done", "5"),
                             ("visit_2", "actions_planned", "9"), ("visit_2", "actions_done", "6"),
                             ("visit_1", "eit_members", "3"),
                             ("visit_1", "eit_worker_members", "4"))
    assert [(f.row, f.value, f.rule) for f in result.errors] == [
        (3, "5", "actions_done ≤ actions_planned"),
        (7, "4", "eit_worker_members ≤ eit_members")]


def test_implementation_by_visit_derives_completion_and_worker_share():
    from score_analysis.data.validation import implementation_by_visit

    result = _implementation(("visit_2", "actions_planned", "8"), ("visit_2", "actions_done", "6"),
                             ("baseline", "eit_members", "5"),
                             ("baseline", "eit_worker_members", "2"),
                             ("baseline", "actions_planned", "0"),
                             ("baseline", "suggestion_scheme", "tidak"))
    wide = implementation_by_visit(result.tables["implementation"])
    assert wide["visit"].tolist() == ["baseline", "visit_2"]  # in the order of the visits
    base, second = wide.iloc[0], wide.iloc[1]
    assert base["eit_worker_share"] == pytest.approx(0.4)
    assert pd.isna(base["action_completion"])  # nothing planned: no completion
    assert bool(base["suggestion_scheme"]) is False and pd.isna(second["suggestion_scheme"])
    assert second["action_completion"] == pytest.approx(0.75)
    assert str(wide["actions_done"].dtype) == "Int64"
