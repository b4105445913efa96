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
    assert [(e.value, e.rule) for e in errors] == [("12.5", "whole_number"),
                                                   (str(2**60), "number_too_large")]


def test_months_are_yyyy_mm_and_from_a_workbook_may_be_dates():
    series, errors = _one_column("month", ["2010-04", "2010-05"])
    assert errors == [] and series.tolist() == ["2010-04", "2010-05"]
    for months in (["1990-01"], ["2025-12", "2026-01"]):  # the first and last months allowed
        _, errors = _one_column("month", months)
        assert errors == []  # (alpha's intervention month is far from them: not these cells)
    _, errors = _one_column("month", ["2025-10", "2025-4", "2025-04-01", "04/2025", "2026-02",
                                      "1989-12"])
    assert [(e.value, e.rule) for e in errors] == [
        ("2025-4", "month_format"), ("2025-04-01", "month_format"),
        ("04/2025", "month_format"), ("2026-02", "month_in_future"),
        ("1989-12", "month_too_early")]
    series, errors = _one_column("month", ["2010-04-01"], from_excel=True)
    assert errors == [] and series.tolist() == ["2010-04"]


def test_dates_are_iso_or_day_first():
    rows = [["enterprise_id", "milestone", "date"], ["alpha", "a", "2010-03-22"],
            ["alpha", "b", "22/03/2010"], ["alpha", "c", "1/2/2010"],
            ["alpha", "d", "03/22/2010"], ["alpha", "e", "2026-01-16"],
            ["alpha", "f", "31/12/1989"], ["alpha", "g", "2010-3-22"]]
    result = validate(_raw({"milestones": rows}), today=TODAY)
    assert [(row, value, rule) for _, row, _, value, rule in _errors(result)] == [
        (4, "1/2/2010", "date_order_ambiguous"),
        (5, "03/22/2010", "date_format"),
        (6, "2026-01-16", "date_in_future"),
        (7, "31/12/1989", "date_too_early"),
        (8, "2010-3-22", "date_format")]
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
    assert warnings == [(None, "month", "2010-03", "missing_month"),
                        (7, "units_rejected", "40000", "implausible_jump")]
    assert f"more than {JUMP_FACTOR:g} times" in next(
        f.message for f in result.findings if f.rule == "implausible_jump")


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
        ("remarks", "", "unknown_column"), ("enterprise_id", "gamma", "no_kpi_rows")]
    assert "remarks" not in result.tables["enterprises"].columns


def test_survey_answers_are_checked_against_the_codebook():
    raw = read_raw(MINIMAL)
    survey = raw.tables["worker_survey"].frame.copy()
    survey["sat1"] = ["5", "1", "0", "6", ""]
    raw.tables["worker_survey"] = RawTable("worker_survey", "worker_survey.csv", "", survey)
    result = validate(raw, today=TODAY)
    assert [(f.row, f.value, f.rule) for f in result.errors] == [
        (4, "0", "answer_in_scale"),
        (5, "6", "answer_in_scale")]


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
    gap = [f for f in result.findings if f.rule == "missing_month"]
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

    _, errors = _one_column("month", ["2010-01", "2010/10"])
    (error,) = errors
    assert error.rule == "month_format"  # the rule code never changes
    for language, expected in (("en", "did you mean 2010-10?"), ("id", "maksud Anda 2010-10?")):
        with use_language(language):
            assert error.message.endswith(expected)


# --------------------------------------------------------------------------- roles


ENT_HEADER = list(TABLES["enterprises"].column_names)


def _enterprises(*rows: tuple[str, str, str]) -> list[list[str]]:
    """enterprises rows from (enterprise_id, intervention_month, role)."""
    return [ENT_HEADER] + [[eid, f"PT {eid}", "", "printing", "", month, role, "", "simulated"]
                           for eid, month, role in rows]


@pytest.mark.parametrize(("month", "role", "rule"), [
    ("2010-04", "", None), ("2010-04", "programme", None), ("", "comparison", None),
    ("", "", "programme_without_start"),
    ("", "programme", "programme_without_start"),
    ("2010-04", "comparison", "comparison_with_start"),
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
            assert words in result.errors[0].message


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
        ("implementation.csv", r, "comparison_rows") for r in (11, 12, 13)] + [
        ("milestones.csv", 3, "comparison_rows")]
    raw.tables.pop("milestones")
    raw.tables.pop("implementation")
    result = validate(raw, today=TODAY)
    assert result.ok
    assert [(f.file, f.value, f.rule) for f in result.findings if f.severity == "warning"] == [
        ("five_s_audits.csv", "beta", "comparison_rows_unused"),
        ("worker_survey.csv", "beta", "comparison_rows_unused")]


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
    ("eit_members", "-1", "minimum"), ("eit_members", "2.5", "whole_number"),
    ("eit_meetings", "lots", "not_a_number"), ("trainer_rating", "0", "minimum"),
    ("trainer_rating", "6", "maximum"), ("suggestion_scheme", "maybe", "yes_no"),
    ("communication_board", "2", "yes_no"), ("item_x", "1", "one_of"),
    ("actions_done", "50%", "not_a_number"),
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
        (3, "5", "item_at_most"),
        (7, "4", "item_at_most")]


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


# --------------------------------------------------------------- the declared rules' schema


def _declared(spec) -> tuple[list[tuple[str, str]], list[str]]:
    """The rules ``spec`` declares, read from the contract: ``(column, code)`` of each rule
    of one column, and the code of each rule between columns."""
    from score_analysis.data.contract import ENTERPRISE_ID_PATTERN

    columns = []
    for c in spec.columns:
        if c.pattern:
            columns.append((c.name, "enterprise_id" if c.pattern == ENTERPRISE_ID_PATTERN
                            else "pattern"))
        columns += [(c.name, code) for code, declared in (
            ("minimum", c.minimum is not None), ("maximum", c.maximum is not None),
            ("text_too_long", bool(c.max_length))) if declared]
    between = (["at_most" for c in spec.columns if c.at_most]
               + ["scale_order"] * len(spec.ordered) + ["within_scale"] * len(spec.within))
    return sorted(columns), sorted(between)


def test_the_declared_rules_are_a_pandera_schema_built_from_the_contract():
    import pandera.pandas as pa

    from score_analysis.data.validation.schema import declared_checks, table_schema

    for spec in TABLES.values():
        schema = table_schema(spec)
        assert isinstance(schema, pa.DataFrameSchema)
        assert table_schema(spec) is schema  # built once per table declaration
        columns = sorted((name, check.name) for name, column in schema.columns.items()
                         for check in column.checks)
        assert (columns, sorted(check.name for check in schema.checks)) == _declared(spec)
        # every check maps back to its code and the column whose cells it reports
        checks = [*schema.checks, *(c for col in schema.columns.values() for c in col.checks)]
        assert sorted(declared_checks(schema)) == sorted(check.error for check in checks)
        assert all(declared_checks(schema)[check.error].code == check.name for check in checks)
    assert _declared(TABLES["kpi_monthly"])[1] == ["at_most"] * 4
    assert _declared(TABLES["five_s_audits"])[1] == ["scale_order", "within_scale"]


def test_a_rule_newly_declared_in_the_contract_is_checked(monkeypatch):
    """A bound, an "at most" and an ordered pair added to the declarations are checked,
    reported and worded with no change to validation."""
    import dataclasses

    from score_analysis.data.contract import Ordered
    from score_analysis.data.validation.schema import table_schema

    spec = TABLES["kpi_monthly"]
    rows = [["enterprise_id", "month", "headcount", "separations", "units_produced",
             "units_rejected"],
            ["alpha", "2010-01", "120", "3", "500", "5"],
            ["alpha", "2010-02", "501", "4", "500", "500"],
            ["alpha", "2010-03", "80", "81", "", "7"]]
    columns = ("headcount", "separations", "units_produced", "units_rejected")

    def errors():
        result = validate(_raw({"kpi_monthly": rows}), today=TODAY)
        return [(f.row, f.column, f.value, f.rule, f.params) for f in result.errors
                if f.column in columns]

    assert errors() == []  # the contract as shipped has none of these rules
    declared = dataclasses.replace(
        spec, ordered=(Ordered("units_rejected", "units_produced"),),
        columns=tuple(dataclasses.replace(c, maximum=500) if c.name == "headcount"
                      else dataclasses.replace(c, at_most="headcount")
                      if c.name == "separations" else c for c in spec.columns))
    monkeypatch.setitem(TABLES, spec.name, declared)
    assert table_schema(declared) is not table_schema(spec)
    assert errors() == [
        (3, "headcount", "501", "maximum", {"maximum": 500.0}),
        (3, "units_produced", "500", "scale_order",
         {"low": "units_rejected", "high": "units_produced"}),
        (4, "separations", "81", "at_most",
         {"column": "separations", "bound": "headcount", "bound_value": 80.0}),
    ]
    line = [f for f in validate(_raw({"kpi_monthly": rows}), today=TODAY).errors
            if f.column == "separations"][0].line()
    assert "separations is larger than headcount (80)" in line, line


def test_a_rule_a_column_cannot_have_is_refused_when_the_schema_is_built():
    import dataclasses

    from score_analysis.data.validation.schema import table_schema

    spec = TABLES["milestones"]
    dated = dataclasses.replace(spec, columns=tuple(
        dataclasses.replace(c, minimum=0) if c.name == "date" else c for c in spec.columns))
    with pytest.raises(ValueError, match="milestones.date declares a minimum"):
        table_schema(dated)


def test_the_declared_rules_are_checked_whatever_pandera_is_set_to():
    from pandera.config import ValidationDepth, config_context

    rows = [["enterprise_id", "month", "headcount"], ["alpha", "2010-01", "-4"]]
    for settings in ({"validation_enabled": False},
                     {"validation_depth": ValidationDepth.SCHEMA_ONLY}):
        with config_context(**settings):
            result = validate(_raw({"kpi_monthly": rows}), today=TODAY)
        assert [(f.row, f.column, f.rule) for f in result.errors] == [(2, "headcount",
                                                                        "minimum")]
