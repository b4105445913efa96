"""Validation and cleaning of the input tables (SPEC §3, §4).

Three passes, all of which collect findings instead of stopping at the first:

1. *parsing*: every text cell is turned into its contract type (whole number,
   number, month, date, boolean, choice); a cell that cannot be is an error
   naming file, spreadsheet row, column, value and rule;
2. *rules*: the typed tables are checked with pandera schemas built from
   :mod:`score_analysis.contract` (ranges, patterns, "at most" relations,
   lengths), lazily, so every failure is reported;
3. *cross-table* rules: unknown enterprises, duplicate keys, survey items
   missing from the codebook, answers outside an item's scale; and the
   warnings of §4 (missing months inside a series, implausible jumps,
   unknown extra columns).
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .contract import (
    BOOLEAN_FALSE,
    BOOLEAN_TRUE,
    ENTERPRISE_ID_PATTERN,
    FIRST_MONTH,
    INDICATORS,
    TABLES,
    Column,
    Finding,
    Table,
)
from .io import ROW, RawData, RawTable

#: A monthly rate more than this many times away from the enterprise's median
#: rate for the indicator is flagged as an implausible jump (a warning).
JUMP_FACTOR = 5.0
#: ... but only for indicators whose median monthly numerator is at least this:
#: small counts (accidents, separations) swing by chance alone.
JUMP_MIN_COUNT = 20

_NUMBER_DOT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_NUMBER_COMMA = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_EXCEL_MONTH = re.compile(r"^(\d{4})-(\d{2})-01$")


@dataclass
class Validated:
    """The outcome of validation: typed tables and every finding."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # table -> file shown

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors


def validate(raw: RawData, today: _dt.date | None = None) -> Validated:
    """Validate and clean every table read by :func:`score_analysis.io.read_raw`.

    Parameters
    ----------
    raw
        The tables as text, with read findings.
    today
        The date that "in the future" is judged against (default: today).

    Returns
    -------
    Validated
        Typed tables (``None`` never; a table absent from the input is absent
        here) and every finding, errors first in file order.
    """
    today = today or _dt.date.today()
    out = Validated(findings=list(raw.findings), files=dict(raw.files))
    for spec in TABLES.values():
        table = raw.tables.get(spec.name)
        if table is None:
            if spec.required and spec.name not in raw.unreadable:
                out.findings.append(_missing_table(raw, spec))
            continue
        out.sources[spec.name] = table.source
        typed = _parse(table, spec, today, out.findings)
        if typed is not None:
            _check_rules(typed, spec, table.source, out.findings)
            out.tables[spec.name] = typed
    _check_survey_pair(out, raw)
    _check_cross_table(out, raw)
    _warn_series(out)
    out.findings = _with_enterprises(out.findings, raw)
    if not out.ok:
        out.tables = {}
    else:
        out.tables = {name: t.drop(columns=[ROW]) for name, t in out.tables.items()}
    out.findings.sort(key=lambda f: (_SEVERITY_ORDER[f.severity], _file_order(f.file),
                                     f.row if f.row is not None else -1))
    return out


_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def _missing_table(raw: RawData, spec: Table) -> Finding:
    if raw.workbook is not None:
        return Finding(raw.shown_name(spec.name), None, "", "", "required sheet", "error",
                       f"the workbook has no sheet named '{spec.name}'")
    return Finding(spec.file_name, None, "", "", "required file", "error",
                   "the required table is missing")


def _file_order(name: str) -> int:
    for i, t in enumerate(TABLES.values()):
        if name.startswith(t.name) or f"[{t.name}" in name:
            return i
    return len(TABLES)


# --------------------------------------------------------------------------- parsing


def _parse(table: RawTable, spec: Table, today: _dt.date,
           findings: list[Finding]) -> pd.DataFrame | None:
    frame = table.frame
    src = table.source
    present = [c for c in frame.columns if c != ROW]
    missing = [c.name for c in spec.columns if c.required and c.name not in present]
    for name in missing:
        hint = _header_hint(frame, name)
        findings.append(Finding(src, 1, name, "", "required column", "error",
                                f"the required column '{name}' is missing from the header{hint}"))
    if missing:
        return None
    if not spec.extra_columns_allowed:
        for name in present:
            if name not in spec.column_names:
                findings.append(Finding(src, 1, name, "", "known columns", "warning",
                                        "column is not part of the data contract and was "
                                        "ignored"))
    if frame.empty and spec.name == "enterprises":
        findings.append(Finding(src, None, "", "", "at least one data row", "error",
                                "the table has a header but no data rows"))
        return None
    rows = frame[ROW]
    out = pd.DataFrame({ROW: rows.to_numpy()}, index=frame.index)
    for col in spec.columns:
        if col.name not in frame.columns:
            out[col.name] = _empty(col)
            continue
        out[col.name] = _parse_column(frame[col.name], rows, col, table, today, findings)
    if spec.extra_columns_allowed:
        for name in present:
            if name not in spec.column_names:
                out[name] = frame[name].astype(object)  # survey items: parsed against codebook
    return out


def _header_hint(frame: pd.DataFrame, name: str) -> str:
    lowered = {c.lower().replace(" ", "_"): c for c in frame.columns if c != ROW}
    if name in lowered:
        return f" (found '{lowered[name]}': rename it '{name}')"
    for _, rec in frame.head(5).iterrows():
        if name in [str(v).strip() for v in rec.to_numpy()]:
            return (f" (it appears on row {rec[ROW]}: the header must be the first row; "
                    f"remove title or merged rows above it)")
    return ""


def _empty(col: Column) -> pd.Series:
    return {"integer": pd.Series(dtype="Int64"), "number": pd.Series(dtype="float64"),
            "date": pd.Series(dtype="datetime64[ns]"),
            "boolean": pd.Series(dtype="boolean")}.get(col.kind, pd.Series(dtype=object))


def _parse_column(s: pd.Series, rows: pd.Series, col: Column, table: RawTable,
                  today: _dt.date, findings: list[Finding]) -> pd.Series:
    s = s.astype(object).fillna("").astype(str)
    blank = s == ""
    src = table.source

    def bad(mask: pd.Series, rule: str, message: str | Callable[[str], str]) -> None:
        if not mask.any():
            return
        for row, value in zip(rows[mask], s[mask], strict=True):
            text = message(value) if callable(message) else message
            findings.append(Finding(src, int(row), col.name, value, rule, "error", text))

    if not col.nullable:
        bad(blank, "required value", "the value is required and the cell is blank")

    if col.kind in ("integer", "number"):
        values = _numbers(s, table.decimal)
        failed = ~blank & values.isna()
        rule = "number with ',' decimals" if table.decimal == "," else "number"
        if table.decimal == "." and not table.from_excel:
            comma = failed & s.str.fullmatch(r"[+-]?\d+,\d+")
            bad(comma, "number with '.' decimals", "a decimal comma in a comma-separated file: "
                "use '.' for decimals, or ';' to separate columns")
            failed &= ~comma
        bad(failed, rule, "not a number")
        if col.kind == "integer":
            frac = values.notna() & (values != np.floor(values.fillna(0)))
            bad(frac, "whole number", "must be a whole number")
            values = values.where(~frac)
            big = values.abs() > 2**53
            bad(big, "whole number below 2^53", "the number is too large")
            values = values.where(~big)
            return values.round().astype("Int64")
        return values.astype("float64")
    if col.kind == "month":
        pattern = _EXCEL_MONTH if table.from_excel else None
        parsed = s.str.extract(_MONTH)
        if pattern is not None:
            alt = s.str.extract(pattern)
            parsed = parsed.fillna(alt)
        year = pd.to_numeric(parsed[0], errors="coerce")
        month = pd.to_numeric(parsed[1], errors="coerce")
        valid = year.notna() & month.between(1, 12)
        bad(~blank & ~valid, "month as YYYY-MM", "not a month in the form YYYY-MM")
        text = pd.Series(np.where(valid, year.fillna(0).astype(int).astype(str).str.zfill(4)
                                  + "-" + month.fillna(0).astype(int).astype(str).str.zfill(2),
                                  None), index=s.index, dtype=object)
        this_month = f"{today.year:04d}-{today.month:02d}"
        early = valid & (text < FIRST_MONTH)
        bad(early, f"month from {FIRST_MONTH}", "the month is before 1990")
        future = valid & (text > this_month)
        bad(future, "month not in the future", "the month is in the future")
        return text.where(valid & ~early & ~future)
    if col.kind == "date":
        iso = pd.to_datetime(s.where(s.str.fullmatch(r"\d{4}-\d{2}-\d{2}")), format="%Y-%m-%d",
                             errors="coerce")
        dmy = pd.to_datetime(s.where(s.str.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}")),
                             format="%d/%m/%Y", errors="coerce")
        values = iso.fillna(dmy)
        bad(~blank & values.isna(), "date as YYYY-MM-DD or DD/MM/YYYY",
            "not a valid date (YYYY-MM-DD, or DD/MM/YYYY with the day first)")
        early = values < pd.Timestamp(FIRST_MONTH + "-01")
        bad(early, "date from 1990", "the date is before 1990")
        future = values > pd.Timestamp(today)
        bad(future, "date not in the future", "the date is in the future")
        return values.where(~early & ~future).astype("datetime64[ns]")
    if col.kind == "boolean":
        low = s.str.lower()
        truth = low.isin(BOOLEAN_TRUE)
        falsity = low.isin(BOOLEAN_FALSE)
        bad(~blank & ~truth & ~falsity, "true or false",
            "must be true or false (1/0, yes/no and ya/tidak are accepted too)")
        return pd.Series(np.where(truth, True, np.where(falsity, False, None)),
                         index=s.index).astype("boolean")
    if col.kind == "choice":
        known = s.isin(col.choices)
        bad(~blank & ~known, "one of " + ", ".join(col.choices),
            lambda value: _choice_message(col, value))
        return s.where(known, None).astype(object)
    return s.where(~blank, None).astype(object)


def _choice_message(col: Column, value: str) -> str:
    from difflib import get_close_matches

    close = get_close_matches(value.strip().lower().replace(" ", "_"), col.choices, n=1,
                              cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return f"must be one of: {', '.join(col.choices)}{hint}"


def _numbers(s: pd.Series, decimal: str) -> pd.Series:
    """Parse text numbers; ``decimal=','`` accepts ``1.234,5`` and ``12,5`` (and ``12.5``)."""
    if decimal == ",":
        comma = s.str.fullmatch(_NUMBER_COMMA.pattern)
        converted = s.where(~comma, s.str.replace(".", "", regex=False)
                            .str.replace(",", ".", regex=False))
        ok = comma | s.str.fullmatch(_NUMBER_DOT.pattern)
    else:
        converted = s
        ok = s.str.fullmatch(_NUMBER_DOT.pattern)
    values = pd.to_numeric(converted.where(ok), errors="coerce")
    return values.where(np.isfinite(values.astype(float)))


# --------------------------------------------------------------------------- rules


@functools.cache
def _schema(spec: Table):
    """The pandera schema of a table's rules (built once per table)."""
    import pandera.pandas as pa

    columns = {}
    for col in spec.columns:
        checks = []
        if col.pattern:
            checks.append(pa.Check.str_matches(f"^(?:{col.pattern})$",
                                               error=f"matches {col.pattern}"))
        if col.minimum is not None:
            checks.append(pa.Check.ge(col.minimum, error=f"≥ {col.minimum:g}"))
        if col.max_length:
            checks.append(pa.Check.str_length(max_value=col.max_length,
                                               error=f"at most {col.max_length} characters"))
        columns[col.name] = pa.Column(checks=checks, nullable=True, required=False)
    frame_checks = []
    for col in spec.columns:
        if col.at_most:
            frame_checks.append(_at_most_check(col.name, col.at_most))
    if spec.name in ("five_s_audits", "survey_items"):
        frame_checks.append(pa.Check(lambda d: ~(d["scale_min"] >= d["scale_max"]).fillna(False),
                                     error="scale_min < scale_max"))
    if spec.name == "five_s_audits":
        frame_checks.append(pa.Check(
            lambda d: ~((d["score"] < d["scale_min"]) | (d["score"] > d["scale_max"]))
            .fillna(False), error="scale_min ≤ score ≤ scale_max"))
    return pa.DataFrameSchema(columns, checks=frame_checks, coerce=False, strict=False)


def _at_most_check(column: str, bound: str):
    import pandera.pandas as pa

    return pa.Check(lambda d: ~(d[column] > d[bound]).fillna(False),
                    error=f"{column} ≤ {bound}")


#: For a table-level rule, the column its failures are reported in.
def _rule_column(rule: str) -> str | None:
    if "≤ score ≤" in rule:
        return "score"
    if rule == "scale_min < scale_max":
        return "scale_max"
    if " ≤ " in rule:
        return rule.split(" ≤ ")[0]
    return None


def _check_rules(typed: pd.DataFrame, spec: Table, source: str,
                 findings: list[Finding]) -> None:
    import pandera.pandas as pa

    data = typed[[c.name for c in spec.columns]]
    try:
        _schema(spec).validate(data, lazy=True)
        return
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    for case in cases.itertuples(index=False):
        rule = str(case.check)
        target = _rule_column(rule)
        if target is not None and case.column != target:
            continue
        index = case.index
        if index is None or (isinstance(index, float) and np.isnan(index)):
            continue
        row = int(typed.at[index, ROW])
        value = _shown(case.failure_case)
        findings.append(Finding(source, row, str(case.column), value, rule, "error",
                                _message(rule, typed.loc[index], spec)))


def _message(rule: str, record: pd.Series, spec: Table) -> str:
    if rule.startswith("matches"):
        if spec.name != "survey_items" or "item_id" not in rule:
            return ("must be 1-40 lower-case letters, digits, '_' or '-' (no spaces, no '/' or "
                    "'.')") if "a-z0-9_-" in rule else "has characters the rule does not allow"
    if rule.startswith("≥"):
        return "must not be negative" if rule == "≥ 0" else f"must be {rule}"
    if rule.startswith("at most"):
        return f"the text is too long ({rule})"
    if rule == "scale_min < scale_max":
        return "scale_max must be greater than scale_min"
    if "≤ score ≤" in rule:
        return (f"the score is outside the scale {_shown(record['scale_min'])}"
                f"-{_shown(record['scale_max'])}")
    if " ≤ " in rule:
        column, bound = rule.split(" ≤ ")
        return f"{column} is larger than {bound} ({_shown(record[bound])})"
    return "breaks the rule"


def _shown(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --------------------------------------------------------------------------- cross-table


def _duplicates(frame: pd.DataFrame, keys: tuple[str, ...], source: str,
                findings: list[Finding], label: str | None = None) -> None:
    sub = frame.dropna(subset=list(keys))
    dup = sub.duplicated(list(keys), keep=False)
    if not dup.any():
        return
    first_row = sub[dup].groupby(list(keys), sort=False)[ROW].transform("min")
    for idx in sub.index[dup]:
        row = int(sub.at[idx, ROW])
        if row == int(first_row.at[idx]):
            continue
        value = ", ".join(_shown(sub.at[idx, k]) for k in keys)
        findings.append(Finding(source, row, label or keys[-1], value,
                                f"unique ({', '.join(keys)})", "error",
                                f"duplicate of row {int(first_row.at[idx])}"))


def _check_cross_table(out: Validated, raw: RawData) -> None:
    tables = out.tables
    known: set[str] | None = None
    if "enterprises" in tables:
        ent = tables["enterprises"]
        _duplicates(ent, ("enterprise_id",), out.sources["enterprises"], out.findings)
        known = set(ent["enterprise_id"].dropna())
    for name, frame in tables.items():
        spec = TABLES[name]
        src = out.sources[name]
        if spec.key and name not in ("enterprises",):
            _duplicates(frame, spec.key, src, out.findings)
        if name == "worker_survey":
            coded = frame.dropna(subset=["respondent_id"])
            _duplicates(coded, ("enterprise_id", "wave", "respondent_id"), src, out.findings)
        if known is not None and "enterprise_id" in frame.columns and name != "enterprises":
            ids = frame["enterprise_id"]
            well_formed = ids.notna() & ids.astype(str).str.fullmatch(ENTERPRISE_ID_PATTERN)
            unknown = well_formed & ~ids.isin(known)  # malformed ids are reported already
            for row, value in zip(frame.loc[unknown, ROW], frame.loc[unknown, "enterprise_id"],
                                  strict=True):
                out.findings.append(Finding(src, int(row), "enterprise_id", str(value),
                                            "enterprise listed in enterprises.csv", "error",
                                            "unknown enterprise: add it to enterprises.csv"))


def _check_survey_pair(out: Validated, raw: RawData) -> None:
    """Parse survey answers against the codebook (item in codebook, whole number in scale)."""
    survey = out.tables.get("worker_survey")
    if survey is None:
        return
    src = out.sources["worker_survey"]
    base = set(TABLES["worker_survey"].column_names) | {ROW}
    items = [c for c in survey.columns if c not in base]
    codebook = out.tables.get("survey_items")
    if codebook is None:
        if "survey_items" not in raw.unreadable:
            out.findings.append(Finding(raw.shown_name("survey_items"), None, "", "",
                                        "codebook present with the survey", "error",
                                        "worker_survey needs the codebook survey_items"))
        return
    book = codebook.dropna(subset=["item_id"]).drop_duplicates("item_id").set_index("item_id")
    decimal = "."
    typed = survey.copy()
    for item in items:
        if item not in book.index:
            out.findings.append(Finding(src, 1, item, item, "item in the codebook", "error",
                                        "the survey column is not an item of survey_items"))
            typed = typed.drop(columns=[item])
            continue
        s = survey[item].astype(object).fillna("").astype(str)
        values = _numbers(s, decimal if "," not in "".join(s.head(50)) else ",")
        blank = s == ""
        lo, hi = book.at[item, "scale_min"], book.at[item, "scale_max"]
        failed = ~blank & (values.isna() | (values != np.floor(values.fillna(0))))
        outside = ~failed & values.notna()
        if pd.notna(lo) and pd.notna(hi):
            outside &= (values < lo) | (values > hi)
        else:
            outside &= False
        for row, value in zip(survey.loc[failed, ROW], s[failed], strict=True):
            out.findings.append(Finding(src, int(row), item, value, "whole number", "error",
                                        "the answer must be a whole number"))
        scale = f"{_shown(lo)}-{_shown(hi)}"
        for row, value in zip(survey.loc[outside, ROW], s[outside], strict=True):
            out.findings.append(Finding(src, int(row), item, value,
                                        f"answer within the item's scale {scale}", "error",
                                        f"the answer is outside the item's scale {scale}"))
        typed[item] = values.where(~failed & ~outside).round().astype("Int64")
    out.tables["worker_survey"] = typed


# --------------------------------------------------------------------------- warnings


def _warn_series(out: Validated) -> None:
    kpi = out.tables.get("kpi_monthly")
    if kpi is None or not out.ok:
        return
    src = out.sources["kpi_monthly"]
    ents = out.tables.get("enterprises")
    kpi = kpi.dropna(subset=["enterprise_id", "month"])
    if ents is not None:
        for eid in sorted(set(ents["enterprise_id"].dropna()) - set(kpi["enterprise_id"])):
            out.findings.append(Finding(src, None, "enterprise_id", eid, "KPI rows per enterprise",
                                        "warning", "the enterprise has no monthly KPI rows",
                                        enterprise_id=eid))
    for eid, group in kpi.groupby("enterprise_id", sort=True):
        months = pd.PeriodIndex(sorted(group["month"]), freq="M")
        full = pd.period_range(months.min(), months.max(), freq="M")
        for m in full.difference(months):
            out.findings.append(Finding(src, None, "month", f"{eid} {m}",
                                        "no missing month inside a series", "warning",
                                        f"{eid}: month {m} is missing (left out of the models)",
                                        enterprise_id=eid))
        for ind in INDICATORS.values():
            num, exp = group[ind.numerator].astype(float), group[ind.exposure].astype(float)
            rate = (num / exp.where(exp > 0))
            med = rate.median()
            if (not np.isfinite(med) or med <= 0 or rate.notna().sum() < 6
                    or not num.median() >= JUMP_MIN_COUNT):
                continue
            jump = (rate > med * JUMP_FACTOR) | (rate < med / JUMP_FACTOR)
            for idx in group.index[jump.fillna(False).to_numpy()]:
                out.findings.append(Finding(
                    src, int(group.at[idx, ROW]), ind.numerator,
                    _shown(group.at[idx, ind.numerator]), "plausible month-to-month values",
                    "warning", f"{ind.name} this month ({rate[idx] * ind.multiplier:.3g} "
                    f"{ind.unit}) is more than {JUMP_FACTOR:g} times away from the enterprise's "
                    f"median ({med * ind.multiplier:.3g}): check the record", enterprise_id=eid))


def _with_enterprises(findings: list[Finding], raw: RawData) -> list[Finding]:
    """Name the enterprise of every row-level finding whose record has a valid id."""
    import dataclasses
    import re as _re

    pattern = _re.compile(r"[a-z0-9_-]{1,40}")
    owners: dict[str, dict[int, str]] = {}
    for table in raw.tables.values():
        frame = table.frame
        if "enterprise_id" in frame.columns:
            owners[table.source] = {
                int(row): str(eid) for row, eid in zip(frame[ROW], frame["enterprise_id"],
                                                        strict=True)
                if isinstance(eid, str) and pattern.fullmatch(eid)}
    out = []
    for f in findings:
        if not f.enterprise_id and f.row is not None:
            eid = owners.get(f.file, {}).get(f.row)
            if eid:
                f = dataclasses.replace(f, enterprise_id=eid)
        out.append(f)
    return out
